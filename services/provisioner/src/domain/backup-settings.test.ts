import { describe, expect, it } from "vitest";
import { backupSettings, isStorageId, volidProblem } from "./backup-settings.js";

describe("backupSettings", () => {
  it("backupSettings - applies the defaults (snapshot, zstd, the host's storage)", () => {
    expect(backupSettings({ mode: "", compression: "", storage: "" })).toEqual({
      mode: "snapshot",
      compression: "zstd",
      storage: "",
    });
    expect(backupSettings({ mode: "stop", compression: "lzo", storage: "pbs-1" })).toEqual({
      mode: "stop",
      compression: "lzo",
      storage: "pbs-1",
    });
  });

  it("backupSettings - names the bad setting without quoting it", () => {
    expect(backupSettings({ mode: "live; rm -rf /", compression: "", storage: "" })).toBe(
      "the mode must be snapshot, suspend or stop",
    );
    expect(backupSettings({ mode: "", compression: "bzip2", storage: "" })).toBe(
      "the compression must be zstd, gzip or lzo",
    );
    expect(backupSettings({ mode: "", compression: "", storage: "../etc" })).toBe(
      "the storage is not a Proxmox storage id",
    );
  });

  it("isStorageId - PVE storage ids: a lower-case letter first, at most 64 characters", () => {
    for (const ok of ["local", "local-lvm", "nfs_backups.2", "b", "x".repeat(64)])
      expect(isStorageId(ok)).toBe(true);
    for (const bad of ["", "Local", "1st", "-x", "a b", "a:b", "a/b", "x".repeat(65)])
      expect(isStorageId(bad)).toBe(false);
  });
});

describe("volidProblem", () => {
  it("volidProblem - a backup volume of the named storage is accepted (dir and PBS forms)", () => {
    expect(volidProblem("local:backup/vzdump-lxc-101-2026_01_01-00_00_00.tar.zst", "local")).toBeUndefined();
    expect(volidProblem("pbs:backup/ct/101/2026-01-01T00:00:00Z", "pbs")).toBeUndefined();
  });

  it("volidProblem - another storage, whitespace, a parent segment or a bad storage id are refused", () => {
    const volid = "local:backup/vzdump-lxc-101-2026_01_01-00_00_00.tar.zst";
    expect(volidProblem(volid, "backup")).toBe("the archive is not a backup volume of its storage");
    expect(volidProblem("local:", "local")).toBe("the archive is not a backup volume of its storage");
    expect(volidProblem("local:backup/a b", "local")).toBe(
      "the archive is not a backup volume of its storage",
    );
    expect(volidProblem("local:backup/../../etc/passwd", "local")).toBe(
      "the archive is not a backup volume of its storage",
    );
    expect(volidProblem(volid, "Local")).toBe("the storage is not a Proxmox storage id");
  });
});
