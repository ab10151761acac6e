import { describe, expect, it } from "vitest";
import { decideAccess, type SecretAction } from "./policy.js";

const HOST_SECRET = "proxmox/hosts/8b7e/api";
const APP_SECRET = "apps/42/root-password";
const APP_ENV = "apps/42/env/DB_PASSWORD";

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
    // An app's secret environment: applications writes and deletes, never reads; the provisioner
    // reads (the .env), writes and deletes (clone copies, delete).
    ["applications", "put", APP_ENV, true],
    ["applications", "delete", APP_ENV, true],
    ["applications", "get", APP_ENV, false],
    ["provisioner", "get", APP_ENV, true],
    ["provisioner", "put", APP_ENV, true],
    ["provisioner", "delete", APP_ENV, true],
    ["api-gateway", "get", APP_ENV, false],
    ["api-gateway", "put", APP_ENV, false],
    ["hosts", "get", APP_ENV, false],
    ["backups", "get", APP_ENV, false],
    ["secrets", "get", APP_ENV, false],
    // The applications grant stops at the environment: root passwords stay the provisioner's.
    ["applications", "put", APP_SECRET, false],
    ["applications", "delete", APP_SECRET, false],
  ])("policy - %s %s %s → allowed=%s", (caller, action, name, allowed) => {
    expect(decideAccess(caller, action, name).allowed).toBe(allowed);
  });

  it("policy - a prefix must match from the start and include the slash", () => {
    expect(decideAccess("provisioner", "get", "x/proxmox/hosts/1/api").allowed).toBe(false);
    expect(decideAccess("provisioner", "get", "proxmox/hostsX/1/api").allowed).toBe(false);
  });

  it("policy - the app environment rule covers exactly apps/<id>/env/<NAME>, no path tricks", () => {
    expect(decideAccess("applications", "put", "apps/42/env/A/../../root-password").allowed).toBe(false);
    expect(decideAccess("applications", "put", "apps/42/env/").allowed).toBe(false);
    expect(decideAccess("applications", "put", "apps//env/A").allowed).toBe(false);
    expect(decideAccess("applications", "put", "x/apps/42/env/A").allowed).toBe(false);
    expect(decideAccess("applications", "delete", "apps/42/envX/A").allowed).toBe(false);
  });

  it("policy - every decision carries a reason for the audit", () => {
    expect(decideAccess("hosts", "get", HOST_SECRET).reason).toBe("hosts may not get proxmox/hosts/*");
    expect(decideAccess("provisioner", "get", "zzz").reason).toBe("no policy covers this name");
    expect(decideAccess("applications", "get", APP_ENV).reason).toBe("applications may not get apps/*/env/*");
  });
});
