import { ServiceIdentities } from "@proximity/grpc";
import { describe, expect, it } from "vitest";
import { decideAdminAccess } from "./admin-policy.js";

describe("decideAdminAccess", () => {
  it("admin policy - only sre may rewrap or read key usage", () => {
    for (const caller of ServiceIdentities)
      for (const action of ["rewrap", "key-usage"] as const)
        expect(decideAdminAccess(caller, action).allowed).toBe(caller === "sre");
    expect(decideAdminAccess("unknown", "rewrap").reason).toMatch(/operators only/);
  });
});
