/**
 * What lives inside a container, as far as the simulated shell cares: files written by scripts,
 * installed packages, whether Docker is installed, and the compose projects that are up.
 */

export interface ComposeProject {
  readonly name: string;
  readonly file: string;
  readonly services: readonly { readonly name: string; readonly image: string }[];
  readonly startedAt: number;
}

export interface Guest {
  readonly ip: string;
  readonly files: Map<string, string>;
  readonly dirs: Set<string>;
  readonly packages: Set<string>;
  dockerInstalled: boolean;
  readonly composeProjects: Map<string, ComposeProject>;
}

/** A fresh Debian-like guest; the IP is derived from the vmid so it is stable and unique per CT. */
export function createGuest(vmid: number): Guest {
  const ip = `10.10.${Math.floor(vmid / 250) % 250}.${(vmid % 250) + 2}`;
  return {
    ip,
    files: new Map([["/etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n']]),
    dirs: new Set(["/", "/root", "/etc", "/tmp", "/opt", "/var", "/usr", "/usr/bin", "/srv"]),
    packages: new Set(["bash", "coreutils", "apt", "ca-certificates"]),
    dockerInstalled: false,
    composeProjects: new Map(),
  };
}

/** A deep copy of `from` for container `vmid` (snapshots, clones); the IP stays derived from vmid. */
export function copyGuest(from: Guest, vmid: number): Guest {
  const g = createGuest(vmid);
  replaceGuest(g, from);
  return g;
}

/** Makes `target` hold what `from` holds (rollback keeps the record, swaps its contents). */
export function replaceGuest(target: Guest, from: Guest): void {
  target.files.clear();
  for (const [k, v] of from.files) target.files.set(k, v);
  target.dirs.clear();
  for (const d of from.dirs) target.dirs.add(d);
  target.packages.clear();
  for (const p of from.packages) target.packages.add(p);
  target.dockerInstalled = from.dockerInstalled;
  target.composeProjects.clear();
  for (const [k, v] of from.composeProjects) target.composeProjects.set(k, v);
}
