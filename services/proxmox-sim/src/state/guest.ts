/**
 * What lives inside a container, as far as the simulated shell cares: files (with permission bits)
 * written by scripts, installed packages, whether Docker is installed, the images pulled and the
 * compose projects that are up with the state of each service. Snapshots, rollbacks and clones copy
 * all of it.
 */

import { type Distribution, distributionOfTemplate } from "./distribution.js";

/** Docker's view of one service container. */
export interface ServiceState {
  readonly name: string;
  readonly image: string;
  /** compose `restart:` policy ("" = none): a crashing container then shows "restarting". */
  readonly restart: string;
  readonly state: "running" | "exited" | "restarting";
  /** "" without a health check result; "unhealthy" when an injected fault says so. */
  readonly health: "" | "unhealthy";
  readonly exitCode: number;
  /** Epoch ms the container was (re)created. */
  readonly startedAt: number;
}

export interface ComposeProject {
  readonly name: string;
  readonly file: string;
  readonly services: readonly ServiceState[];
}

export interface Guest {
  readonly ip: string;
  readonly files: Map<string, string>;
  /** Permission bits per file path (files without an entry are 0o644). */
  readonly modes: Map<string, number>;
  readonly dirs: Set<string>;
  readonly packages: Set<string>;
  dockerInstalled: boolean;
  /** Image references pulled into the local Docker image store. */
  readonly images: Set<string>;
  readonly composeProjects: Map<string, ComposeProject>;
}

/**
 * A fresh guest of `distribution` (its `/etc/os-release`, default Debian 12); the IP is derived from
 * the vmid so it is stable and unique per CT.
 */
export function createGuest(
  vmid: number,
  distribution: Distribution = distributionOfTemplate(undefined),
): Guest {
  const ip = `10.10.${Math.floor(vmid / 250) % 250}.${(vmid % 250) + 2}`;
  return {
    ip,
    files: new Map([["/etc/os-release", distribution.osRelease]]),
    modes: new Map(),
    dirs: new Set(["/", "/root", "/etc", "/tmp", "/opt", "/var", "/usr", "/usr/bin", "/srv"]),
    packages: new Set(["bash", "coreutils", "apt", "ca-certificates"]),
    dockerInstalled: false,
    images: new Set(),
    composeProjects: new Map(),
  };
}

/** A deep copy of `from` for container `vmid` (snapshots, clones); the IP stays derived from vmid. */
export function copyGuest(from: Guest, vmid: number): Guest {
  const g = createGuest(vmid);
  replaceGuest(g, from);
  return g;
}

/**
 * Makes `target` hold what `from` holds (rollback keeps the record, swaps its contents). Projects
 * and service states are immutable values, so sharing them between copies is safe.
 */
export function replaceGuest(target: Guest, from: Guest): void {
  refill(target.files, from.files);
  refill(target.modes, from.modes);
  refill(target.composeProjects, from.composeProjects);
  target.dirs.clear();
  for (const d of from.dirs) target.dirs.add(d);
  target.packages.clear();
  for (const p of from.packages) target.packages.add(p);
  target.images.clear();
  for (const i of from.images) target.images.add(i);
  target.dockerInstalled = from.dockerInstalled;
}

function refill<K, V>(target: Map<K, V>, from: ReadonlyMap<K, V>): void {
  target.clear();
  for (const [k, v] of from) target.set(k, v);
}
