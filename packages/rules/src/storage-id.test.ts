import { describe, expect, it } from "vitest";
import { isStorageId, STORAGE_ID_MAX_LENGTH } from "./storage-id.js";

describe("isStorageId", () => {
  it("isStorageId - accepts PVE storage ids up to the length limit", () => {
    for (const id of ["local", "local-zfs", "nfs_backup.2", "s".repeat(STORAGE_ID_MAX_LENGTH)])
      expect(isStorageId(id), id).toBe(true);
  });

  it("isStorageId - refuses upper case, a leading digit or sign, other characters and longer ids", () => {
    for (const id of [
      "",
      "Local",
      "1local",
      "-local",
      "local zfs",
      "local/zfs",
      "s".repeat(STORAGE_ID_MAX_LENGTH + 1),
    ])
      expect(isStorageId(id), id).toBe(false);
  });
});
