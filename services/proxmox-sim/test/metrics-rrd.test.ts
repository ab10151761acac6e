import { describe, expect, it } from "vitest";
import { rrdSeries } from "../src/metrics-rrd.js";
import { createContainerRecord, markRunning } from "../src/state/container.js";

const HOUR = 3_600_000;

describe("rrddata series", () => {
  const ct = createContainerRecord(
    "pve1",
    120,
    { cores: 2, memory: 1024, rootfs: "local-lvm:vm-120-disk-0,size=8G" },
    false,
  );

  it("rrd - 70 samples per timeframe at PVE's step, empty before the CT started", () => {
    const now = Date.UTC(2026, 0, 1, 12);
    markRunning(ct);
    ct.startedAt = now - 30 * 60_000;
    const hour = rrdSeries(ct, "hour", "AVERAGE", now);
    expect(hour).toHaveLength(70);
    expect(hour[1]!.time - hour[0]!.time).toBe(60);
    expect(hour[0]).toEqual({ time: hour[0]!.time }); // 70 min ago: not running yet
    expect(hour.at(-1)).toMatchObject({ maxcpu: 2, maxmem: 1024 * 1024 ** 2, maxdisk: 8 * 1024 ** 3 });
    expect(
      rrdSeries(ct, "day", "AVERAGE", now)[1]!.time - rrdSeries(ct, "day", "AVERAGE", now)[0]!.time,
    ).toBe(1_800);
  });

  it("rrd - values stay in range, move over time, and MAX is not below AVERAGE", () => {
    const now = Date.UTC(2026, 0, 1, 12);
    ct.startedAt = now - 2 * HOUR;
    const avg = rrdSeries(ct, "hour", "AVERAGE", now);
    const max = rrdSeries(ct, "hour", "MAX", now);
    const cpu = avg.map((p) => p.cpu!);
    expect(new Set(cpu).size).toBeGreaterThan(10);
    expect(cpu.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(avg.every((p) => p.mem! <= p.maxmem!)).toBe(true);
    expect(max.every((p, i) => p.cpu! >= avg[i]!.cpu!)).toBe(true);
    expect(rrdSeries(ct, "hour", "AVERAGE", now + HOUR).at(-1)!.cpu).not.toBe(avg.at(-1)!.cpu);
  });
});
