/**
 * Plausible, slowly changing usage numbers for running containers (dashboards and metric
 * collectors need values that move but stay in range). Deterministic per vmid and time.
 */
import { type ContainerRecord, rootfsBytes, uptimeSeconds } from "./state/container.js";

export interface ContainerUsage {
  readonly cpu: number;
  readonly cpus: number;
  readonly mem: number;
  readonly maxmem: number;
  readonly swap: number;
  readonly maxswap: number;
  readonly disk: number;
  readonly maxdisk: number;
  readonly uptime: number;
  readonly netin: number;
  readonly netout: number;
  readonly diskread: number;
  readonly diskwrite: number;
}

const MiB = 1024 * 1024;

/** A value in 0..1 that drifts with time and differs per container. */
function wave(vmid: number, seconds: number, period: number): number {
  return (1 + Math.sin(seconds / period + vmid * 1.7)) / 2;
}

/** Usage of `ct` at `now` (stopped CTs report zeros except the configured maxima). */
export function containerUsage(ct: ContainerRecord, now = Date.now()): ContainerUsage {
  const cpus = Number(ct.config.cores ?? 1);
  const maxmem = Number(ct.config.memory ?? 512) * MiB;
  const maxswap = Number(ct.config.swap ?? 512) * MiB;
  const maxdisk = rootfsBytes(ct);
  const uptime = uptimeSeconds(ct);
  const disk = Math.floor(
    maxdisk * (0.08 + 0.04 * wave(ct.vmid, 0, 1)) + (ct.guest.dockerInstalled ? 600 * MiB : 0),
  );
  if (ct.status !== "running") {
    return {
      cpu: 0,
      cpus,
      mem: 0,
      maxmem,
      swap: 0,
      maxswap,
      disk,
      maxdisk,
      uptime: 0,
      netin: 0,
      netout: 0,
      diskread: 0,
      diskwrite: 0,
    };
  }
  const t = now / 1000;
  const busy = ct.guest.composeProjects.size > 0 ? 0.15 : 0.02;
  return {
    cpu: Number((busy * (0.3 + wave(ct.vmid, t, 9))).toFixed(4)),
    cpus,
    mem: Math.floor(maxmem * (0.1 + 0.25 * wave(ct.vmid, t, 30))),
    maxmem,
    swap: 0,
    maxswap,
    disk,
    maxdisk,
    uptime,
    netin: uptime * 2_300 + ct.vmid,
    netout: uptime * 900 + ct.vmid,
    diskread: uptime * 4_096,
    diskwrite: uptime * 8_192,
  };
}
