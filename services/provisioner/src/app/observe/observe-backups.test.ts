import type { provisionerEventsV1 } from "@proximity/proto";
import { describe, expect, it } from "vitest";
import { provisionerConfigSchema } from "../../config.js";
import { MAX_REPORT_BYTES, reportBytes } from "./observe-backups.js";

/** A report of `count` archives with long but real-looking volume ids (a 32-character storage id). */
function reportOf(count: number): provisionerEventsV1.BackupsObserved {
  const storage = "backups-on-the-second-nas-rack-7";
  return {
    hostId: "0b6e2c7a-51f4-4b8e-9a44-6f3f1c2d9e10",
    node: "pve-node-long-name-01",
    storage,
    observedAt: new Date(),
    archives: Array.from({ length: count }, (_, i) => ({
      volid: `${storage}:backup/vzdump-lxc-${100_000_000 + i}-2025_12_31-23_59_59.tar.zst`,
      vmid: 100_000_000 + i,
      sizeBytes: 2 ** 45 + i,
      createdAt: new Date(1_767_225_599_000),
      protected: i % 2 === 0,
      notes: "",
    })),
  };
}

describe("reportBytes", () => {
  it("reportBytes - the default limit of archives per storage fits one message with room to spare", () => {
    const { OBSERVE_BACKUPS_MAX_ARCHIVES } = provisionerConfigSchema.parse({
      DATABASE_URL: "postgres://x@127.0.0.1/x",
      NATS_URL: "nats://127.0.0.1:4222",
      SERVICE_KEYS_DIR: "/unused",
    });
    expect(OBSERVE_BACKUPS_MAX_ARCHIVES).toBe(5_000);
    expect(reportBytes(reportOf(OBSERVE_BACKUPS_MAX_ARCHIVES))).toBeLessThan(MAX_REPORT_BYTES);
  });

  it("reportBytes - the highest configurable limit can exceed it: the byte check still guards the publish", () => {
    expect(reportBytes(reportOf(10_000))).toBeGreaterThan(MAX_REPORT_BYTES);
  });
});
