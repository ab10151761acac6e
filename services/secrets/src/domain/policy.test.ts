import { describe, expect, it } from "vitest";
import { decideAccess, type SecretAction } from "./policy.js";

const HOST_SECRET = "proxmox/hosts/8b7e/api";
const APP_SECRET = "apps/42/root-password";

describe("decideAccess", () => {
  it.each<[string, SecretAction, string, boolean]>([
    ["hosts", "put", HOST_SECRET, true],
    ["hosts", "delete", HOST_SECRET, true],
    ["hosts", "get", HOST_SECRET, false],
    ["provisioner", "get", HOST_SECRET, true],
    ["provisioner", "put", HOST_SECRET, false],
    ["provisioner", "delete", HOST_SECRET, false],
    ["provisioner", "put", APP_SECRET, true],
    ["provisioner", "get", APP_SECRET, true],
    ["provisioner", "delete", APP_SECRET, true],
    ["hosts", "get", APP_SECRET, false],
    ["hosts", "put", APP_SECRET, false],
    ["api-gateway", "get", HOST_SECRET, false],
    ["applications", "get", APP_SECRET, false],
    ["backups", "get", HOST_SECRET, false],
    ["provisioner", "get", "other/thing", false],
  ])("policy - %s %s %s → allowed=%s", (caller, action, name, allowed) => {
    expect(decideAccess(caller, action, name).allowed).toBe(allowed);
  });

  it("policy - a prefix must match from the start and include the slash", () => {
    expect(decideAccess("provisioner", "get", "x/proxmox/hosts/1/api").allowed).toBe(false);
    expect(decideAccess("provisioner", "get", "proxmox/hostsX/1/api").allowed).toBe(false);
  });

  it("policy - every decision carries a reason for the audit", () => {
    expect(decideAccess("hosts", "get", HOST_SECRET).reason).toBe("hosts may not get proxmox/hosts/*");
    expect(decideAccess("provisioner", "get", "zzz").reason).toBe("no policy covers this name");
  });
});
