import { describe, expect, it } from "vitest";
import {
  backupSucceededMessage,
  failedMessage,
  failureReason,
  formatBytes,
  succeededMessage,
  timedOutMessage,
} from "./operation-messages.js";

describe("operation-messages", () => {
  it("operation-messages - a success names the container, node and address it knows", () => {
    expect(succeededMessage("deploy", { vmid: 104, node: "pve1", ipAddress: "10.0.0.7" })).toBe(
      "Deployment succeeded: container 104 on pve1 at 10.0.0.7",
    );
    expect(succeededMessage("stop", { vmid: null, node: "", ipAddress: null })).toBe("Stop succeeded");
  });

  it("operation-messages - a failure says how many attempts were made and why", () => {
    expect(failedMessage("deploy", 5, "storage full")).toBe(
      "Deployment failed after 5 attempts: storage full",
    );
    expect(failedMessage("delete", 1, "")).toBe("Removal failed after 1 attempt: no reason given");
    expect(failedMessage("update", 0, "timeout")).toBe("Update failed: timeout");
  });

  it("operation-messages - a timeout says what to do next", () => {
    expect(timedOutMessage("restart", 10)).toMatch(
      /^Restart did not finish within 10 minutes.*retry or delete/,
    );
  });

  it("operation-messages - a backup's success gives the archive and its size", () => {
    expect(
      backupSucceededMessage({
        volid: "local:backup/vzdump-lxc-104-2024_05_01-03_00_00.tar.zst",
        sizeBytes: 1_610_612_736,
      }),
    ).toBe("Backup succeeded: 1.5 GiB archive local:backup/vzdump-lxc-104-2024_05_01-03_00_00.tar.zst");
    expect(backupSucceededMessage(undefined)).toBe("Backup succeeded");
    expect(formatBytes(0)).toBe("0 bytes");
    expect(formatBytes(1)).toBe("1 byte");
    expect(formatBytes(1023)).toBe("1023 bytes");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(5 * 1024 ** 4 * 1024)).toBe("5120.0 TiB");
  });

  it("operation-messages - a timed-out backup or restore says what to do next", () => {
    expect(timedOutMessage("backup", 360)).toBe(
      "Backup did not finish within 360 minutes and was marked failed; check the container on the host before backing it up again",
    );
    expect(timedOutMessage("restore", 360)).toMatch(
      /^Restore did not finish.*restore again or delete the app$/,
    );
  });
});

describe("failureReason", () => {
  const full = "The container's disk storage is full: no space for the restored data";
  it("a restore onto the app that left it in error says how to bring it back", () => {
    expect(failureReason({ kind: "restore", newApp: false }, "error", full)).toBe(
      `${full}. The container may be incomplete or gone: restore this or another backup to bring the app back, or delete the app`,
    );
  });
  it("anything else keeps the provisioner's words", () => {
    expect(failureReason({ kind: "restore", newApp: false }, "running", full)).toBe(full);
    expect(failureReason({ kind: "restore", newApp: true }, "error", full)).toBe(full);
    expect(failureReason({ kind: "update", newApp: false }, "error", full)).toBe(full);
  });
});
