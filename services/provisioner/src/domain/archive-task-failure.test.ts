import { describe, expect, it } from "vitest";
import { classifyArchiveFailure } from "./archive-task-failure.js";

describe("classifyArchiveFailure", () => {
  it("classifyArchiveFailure - reads vzdump's storage failures from the exit status or the log", () => {
    expect(
      classifyArchiveFailure([
        "job errors",
        "INFO: Backup job finished with errors",
        "ERROR: Backup of VM 101 failed - command 'zstd' failed: exit code 1",
        "INFO: zstd: error 70 : Write error : cannot write block : No space left on device",
      ]),
    ).toBe("storage-full");
    expect(
      classifyArchiveFailure([
        "could not get storage information for 'local-lvm': can't use storage type 'lvmthin' for backup",
      ]),
    ).toBe("storage-unusable");
    expect(
      classifyArchiveFailure(["job errors", "ERROR: Backup of VM 101 failed - CT is locked (snapshot)"]),
    ).toBe("locked");
  });

  it("classifyArchiveFailure - restore and volume removal failures", () => {
    expect(
      classifyArchiveFailure(["unable to restore CT 101 - can't find file 'local:backup/x.tar.zst'"]),
    ).toBe("archive-missing");
    expect(classifyArchiveFailure(["unable to restore CT 101 - protection mode enabled"])).toBe(
      "container-protected",
    );
    expect(classifyArchiveFailure(["cannot remove protected volume 'backup/x.tar.zst' on 'local'"])).toBe(
      "archive-protected",
    );
  });

  it("classifyArchiveFailure - anything else is unknown (reported as a Proxmox error, retried)", () => {
    expect(classifyArchiveFailure(["restore broke"])).toBe("unknown");
    expect(classifyArchiveFailure([])).toBe("unknown");
  });
});
