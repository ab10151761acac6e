import { ValidationError } from "@proximity/errors";
import { describe, expect, it } from "vitest";
import { assertSecretName } from "./secret-input.js";

describe("secret names", () => {
  it.each([
    "proxmox/hosts/4f1c/api-secret",
    "apps/0b6c3a55-3f0e-4f7e-9d7b-1d2f1e0c9a11/env/ADMIN_TOKEN",
    "apps/x/env/db_password",
    "a.b/c..d",
  ])("accepts %s", (name) => {
    expect(() => assertSecretName(name)).not.toThrow();
  });

  it.each([
    "",
    "/apps/x",
    "apps/x/",
    "apps//x",
    "apps/x/env/../root-password",
    "apps/./x",
    "apps/x/env/NAME WITH SPACE",
    "apps/x/env/ÄNDERN",
    "x".repeat(201),
  ])("refuses %j", (name) => {
    expect(() => assertSecretName(name)).toThrow(ValidationError);
  });
});
