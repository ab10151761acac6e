/**
 * `rrddata` series: 70 samples at the resolution PVE's RRD keeps per timeframe, built from the same
 * drifting usage model as `status/current`, so graphs move between calls. Slots before the CT
 * started carry only `time`, as empty RRD slots do.
 */
import { containerUsage } from "./metrics.js";
import type { ContainerRecord } from "./state/container.js";

export type Timeframe = "hour" | "day" | "week" | "month" | "year";

/** Seconds per sample (pve-manager PVE::RRD: 1 min, 30 min, 3 h, 12 h, 1 week). */
const STEP: Readonly<Record<Timeframe, number>> = {
  hour: 60,
  day: 1_800,
  week: 10_800,
  month: 43_200,
  year: 604_800,
};
const SAMPLES = 70;

export type RrdSample = { time: number } & Partial<Record<string, number>>;

/** The series for `ct`, newest sample last; MAX reports peaks a little above the averages. */
export function rrdSeries(
  ct: ContainerRecord,
  timeframe: Timeframe,
  cf: "AVERAGE" | "MAX",
  now = Date.now(),
): RrdSample[] {
  const step = STEP[timeframe];
  const last = Math.floor(now / 1000 / step) * step;
  const startedAt = ct.startedAt === undefined ? undefined : ct.startedAt / 1000;
  const peak = cf === "MAX" ? 1.35 : 1;
  const out: RrdSample[] = [];
  for (let i = SAMPLES - 1; i >= 0; i--) {
    const time = last - i * step;
    if (startedAt !== undefined && time + step < startedAt) {
      out.push({ time });
      continue;
    }
    const u = containerUsage(ct, time * 1000);
    const running = ct.status === "running";
    out.push({
      time,
      cpu: Math.min(1, u.cpu * peak),
      maxcpu: u.cpus,
      mem: Math.min(u.maxmem, Math.floor(u.mem * peak)),
      maxmem: u.maxmem,
      disk: u.disk,
      maxdisk: u.maxdisk,
      // Rates in bytes/s: a quiet server with a little traffic while running.
      netin: running ? rate(ct.vmid, time, 2_300) * peak : 0,
      netout: running ? rate(ct.vmid, time, 900) * peak : 0,
      diskread: running ? rate(ct.vmid, time, 4_096) * peak : 0,
      diskwrite: running ? rate(ct.vmid, time, 8_192) * peak : 0,
    });
  }
  return out;
}

function rate(vmid: number, time: number, base: number): number {
  return Number((base * (0.5 + (1 + Math.sin(time / 600 + vmid)) / 2)).toFixed(2));
}
