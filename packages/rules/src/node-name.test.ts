import { describe, expect, it } from "vitest";
import { isNodeName } from "./node-name.js";

describe("isNodeName", () => {
  it("isNodeName - accepts one DNS label, in either case", () => {
    for (const name of ["pve", "pve1", "PVE-Node-2", "9", "n".repeat(63)])
      expect(isNodeName(name), name).toBe(true);
  });

  it("isNodeName - refuses dots, inner spaces, bad hyphens and other characters", () => {
    for (const name of ["", "pve1.lan", "-pve", "pve-", "pve_1", "pve 1", "n".repeat(64), "pvé"])
      expect(isNodeName(name), name).toBe(false);
  });
});
