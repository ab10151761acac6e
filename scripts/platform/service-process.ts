/**
 * One process of the platform (a service replica, the simulator, nats-server): how it is run
 * (compiled JavaScript or TypeScript sources through tsx), where its output goes, and what is
 * known of it (pid, time from spawn to its port opening, whether its exit was asked for).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * `compiled`: `node --conditions=compiled services/<svc>/dist/main.js`, as in production
 * (`pnpm build` first; the condition picks the workspace packages' dist/ too, their default being
 * their sources); `tsx`: the sources, transpiled at load.
 */
export type Runtime = "compiled" | "tsx";

/** Where a process's stdout and stderr go: this terminal, or a file of its own. */
export type Output = { readonly kind: "inherit" } | { readonly kind: "file"; readonly path: string };

export interface PlatformProcess {
  /** "secrets", …, "proxmox-sim", "nats-server". */
  readonly service: string;
  /** 0 for the first; each extra replica listens on its own port. */
  readonly replica: number;
  readonly child: ChildProcess;
  readonly spawnedAt: number;
  readonly output: Output;
  /** Spawn → port open, in ms (set once it listens). */
  startedMs?: number;
  /** Set before a stop or an asked-for kill: its exit is not a failure. */
  expectedExit: boolean;
}

/** The newest modification time of the files under `dir` (0 when it is missing). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  return newest;
}

/**
 * Whether `pnpm build` is current: every project of the build (services/*, packages/* with a
 * tsconfig.build.json) has compiled since its sources last changed (dist/.tsbuildinfo, written
 * last by tsc, is newer than every file of src/).
 */
export function isBuildCurrent(root: string): boolean {
  const projects = ["services", "packages"].flatMap((parent) =>
    readdirSync(join(root, parent))
      .map((name) => join(root, parent, name))
      .filter((dir) => existsSync(join(dir, "tsconfig.build.json"))),
  );
  return projects.every((dir) => {
    const info = join(dir, "dist", ".tsbuildinfo");
    return existsSync(info) && statSync(info).mtimeMs >= newestMtime(join(dir, "src"));
  });
}

/** Node's arguments running `service`'s main module. */
export function serviceArgs(root: string, service: string, runtime: Runtime): string[] {
  return runtime === "compiled"
    ? ["--conditions=compiled", "--enable-source-maps", join(root, "services", service, "dist", "main.js")]
    : ["--import", "tsx", join(root, "services", service, "src", "main.ts")];
}

/** Spawns `command` with `env`; `detached` gives it a process group of its own (Ctrl-C skips it). */
export function spawnProcess(options: {
  service: string;
  replica: number;
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  output: Output;
  detached?: boolean;
}): PlatformProcess {
  const fd = options.output.kind === "file" ? openSync(options.output.path, "a", 0o600) : undefined;
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: fd === undefined ? "inherit" : ["ignore", fd, fd],
    detached: options.detached ?? false,
  });
  if (fd !== undefined) closeSync(fd); // the child holds its own copy
  return {
    service: options.service,
    replica: options.replica,
    child,
    spawnedAt: performance.now(),
    output: options.output,
    expectedExit: false,
  };
}

/** Whether the process has exited (its exit event may already have passed). */
export const hasExited = (p: PlatformProcess) => p.child.exitCode !== null || p.child.signalCode !== null;

/** The last lines a process wrote to its log file (to explain a failure). */
export function logTail(p: PlatformProcess, lines = 20): string {
  if (p.output.kind !== "file" || !existsSync(p.output.path)) return "";
  return readFileSync(p.output.path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export async function terminate(p: PlatformProcess, graceMs = 10_000): Promise<void> {
  p.expectedExit = true;
  if (hasExited(p)) return;
  const exited = new Promise((r) => p.child.once("exit", r));
  p.child.kill("SIGTERM");
  const timer = setTimeout(() => p.child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
