/**
 * One container's state machine: stopped ⇄ running, plus the config `lock` a running task holds.
 * Pre-checks throw the same texts PVE dies with, before any task is started.
 */
import { createHash } from "node:crypto";
import { die } from "../errors.js";
import { distributionOfTemplate } from "./distribution.js";
import { createGuest, type Guest } from "./guest.js";

/** Config values as PVE stores them (numbers for integer keys, strings otherwise). */
export type ConfigValue = string | number;

export interface ContainerRecord {
  readonly node: string;
  readonly vmid: number;
  status: "running" | "stopped";
  lock: string | undefined;
  /** Config keys without `lock`/`digest` (those are derived). Never holds the root password. */
  readonly config: Record<string, ConfigValue>;
  /** Whether a root password was set at create time (its value is never kept). */
  hasPassword: boolean;
  /** Epoch ms of the last start, for uptime. */
  startedAt: number | undefined;
  /** What runs inside: files, packages, docker/compose state. */
  readonly guest: Guest;
  readonly snapshots: Map<string, SnapshotRecord>;
}

/** A snapshot: the config and guest contents at `snaptime`, and the snapshot it was taken on top of. */
export interface SnapshotRecord {
  readonly description: string;
  readonly snaptime: number;
  readonly config: Record<string, ConfigValue>;
  readonly guest: Guest;
  parent: string | undefined;
}

/** Builds a new stopped container record; its guest is what `template` (when given) holds. */
export function createContainerRecord(
  node: string,
  vmid: number,
  config: Record<string, ConfigValue>,
  hasPassword: boolean,
  template?: string,
): ContainerRecord {
  return {
    node,
    vmid,
    status: "stopped",
    lock: undefined,
    config,
    hasPassword,
    startedAt: undefined,
    guest: createGuest(vmid, distributionOfTemplate(template)),
    snapshots: new Map(),
  };
}

/** SHA1 over the config as PVE would serialize it; changes whenever any key changes. */
export function configDigest(ct: ContainerRecord): string {
  const lines = Object.keys(ct.config)
    .sort()
    .map((k) => `${k}: ${ct.config[k]}`);
  if (ct.lock) lines.unshift(`lock: ${ct.lock}`);
  return createHash("sha1").update(lines.join("\n")).digest("hex");
}

/** Dies with `CT is locked (<lock>)` unless `skiplock`. */
export function assertUnlocked(ct: ContainerRecord, skiplock = false): void {
  if (ct.lock && !skiplock) throw die(`CT is locked (${ct.lock})`);
}

export function assertRunning(ct: ContainerRecord): void {
  if (ct.status !== "running") throw die(`CT ${ct.vmid} not running`);
}

/** Moves to running; the guest's services (docker, compose projects) come back up. */
export function markRunning(ct: ContainerRecord): void {
  ct.status = "running";
  ct.startedAt = Date.now();
}

export function markStopped(ct: ContainerRecord): void {
  ct.status = "stopped";
  ct.startedAt = undefined;
}

/** Uptime in whole seconds (0 when stopped). */
export function uptimeSeconds(ct: ContainerRecord): number {
  return ct.startedAt === undefined ? 0 : Math.floor((Date.now() - ct.startedAt) / 1000);
}

/** Root disk size in bytes from `rootfs` (`local-lvm:vm-100-disk-0,size=8G`). */
export function rootfsBytes(ct: ContainerRecord): number {
  const m = /size=(\d+)([KMGT]?)/.exec(String(ct.config.rootfs ?? ""));
  if (!m) return 4 * 1024 ** 3;
  const unit = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[
    m[2] as "" | "K" | "M" | "G" | "T"
  ];
  return Number(m[1]) * unit;
}
