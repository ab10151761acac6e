/**
 * The platform as separate processes, as in production, for benchmarks: its own nats-server (with
 * authentication), a scratch database `proximity_bench_<random>` with each service's roles, the
 * simulator, and every service on free ports, with state in a scratch directory (logs in
 * `<stateDir>/logs/`). `stop()` removes all of it.
 *
 *   const platform = await startPlatformProcesses({ serviceEnv: { "api-gateway": { RATE_LIMIT_PER_MINUTE: "1000000" } } });
 *   try { … fetch(`${platform.url}/api/apps`) … } finally { await platform.stop(); }
 *
 * Uses TEST_DATABASE_URL's server (else postgres://postgres@127.0.0.1:5432), which needs a superuser.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { dropDatabaseAndRoles, ensureDatabase } from "../../../scripts/platform/database.js";
import { type LaunchedPlatform, launchPlatform, type ServiceName } from "../../../scripts/platform/launch.js";
import { freePort } from "../../../scripts/platform/ports.js";
import { isBuildCurrent, logTail } from "../../../scripts/platform/service-process.js";

export type { ServiceName };

export interface ProcessPlatformOptions {
  /** Simulator nodes (default pve1, pve2). */
  nodes?: string[];
  /** The simulator's environment, e.g. { SIM_TASK_MS: "0" } (services/proxmox-sim/src/config.ts). */
  simulatorEnv?: Record<string, string>;
  /** Variables of a service's replicas, applied last (e.g. the gateway's RATE_LIMIT_PER_MINUTE). */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Processes per service (default 1), e.g. { provisioner: 3 }; extra replicas on their own ports. */
  replicas?: Partial<Record<ServiceName, number>>;
  /**
   * true: each service's compiled JS (running `pnpm build` first when the build is missing or
   * older than the sources); false: the sources through tsx; default: compiled when the build is
   * current, else tsx (never a stale build).
   */
  compiled?: boolean;
  /** Default "warn". */
  logLevel?: string;
  /** Keep the scratch directory (keys, logs) after stop() and print where it is. */
  keepState?: boolean;
  /**
   * PROXIMITY_MODE (default "development", so benchmarks may register plain-HTTP simulators
   * besides the TLS one started here; no code path of a measured figure depends on it).
   */
  mode?: "development" | "production";
}

export interface ProcessPlatform {
  /** The gateway's base URL (http://127.0.0.1:<port>). */
  url: string;
  adminUsername: string;
  adminPassword: string;
  /** Superuser URL of its scratch database (to seed data). */
  databaseUrl: string;
  /** Its own nats-server (with authentication: a user per service). */
  natsUrl: string;
  busNamespace: string;
  /** The simulator's /_sim control API base (requests go to `${simulatorAdminUrl}/_sim/…`). */
  simulatorAdminUrl: string;
  /** `compiled` or `tsx`. */
  runtime: "compiled" | "tsx";
  stateDir: string;
  /**
   * Every process (services, "proxmox-sim", "nats-server"); startedMs: spawn → port open.
   * A process killed with kill() keeps its entry.
   */
  processes(): { service: string; replica: number; pid: number; startedMs: number }[];
  /** Sends `signal` (default SIGTERM) to one replica; not reported as a failure. */
  kill(service: ServiceName, replica: number, signal?: NodeJS.Signals): void;
  /** Starts a killed replica again (same environment and port); resolves once it listens. */
  restart(service: ServiceName, replica: number): Promise<void>;
  /** Stops everything, drops the scratch database and its roles, deletes the state (unless keepState). */
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, "../../..");
/** The bench's own variables and the test runner's are no business of the services. */
const NOT_INHERITED =
  /^(DATABASE_URL|BOOTSTRAP_|SECRETS_KEK|NATS_URL|BUS_NAMESPACE|TEST_|VITEST|NODE_OPTIONS$|BENCH_)/;

export async function startPlatformProcesses(o: ProcessPlatformOptions = {}): Promise<ProcessPlatform> {
  let current = isBuildCurrent(root);
  if (o.compiled && !current) {
    // Never a stale build measured as the code of this checkout: tsc -b compiles what changed.
    console.error("[platform] compiled: the build is missing or older than the sources: pnpm build");
    execFileSync("pnpm", ["build"], { cwd: root, stdio: "inherit" });
    current = true;
  }
  const runtime = (o.compiled ?? current) ? "compiled" : "tsx";
  if (o.compiled === undefined && !current)
    console.error("[platform] the build is missing or older than the sources: running them through tsx");
  const id = randomBytes(4).toString("hex");
  const server = new URL(process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
  server.pathname = `/proximity_bench_${id}`;
  const databaseUrl = server.toString();
  const busNamespace = `bench${id}`;
  const stateDir = mkdtempSync(join(tmpdir(), "proximity-bench-"));
  const adminPassword = randomBytes(18).toString("base64url");
  const ports = {
    secrets: await freePort(),
    hosts: await freePort(),
    applications: await freePort(),
    backups: await freePort(),
    provisioner: await freePort(),
    "api-gateway": await freePort(),
    simulatorHttp: await freePort(),
    simulatorAdmin: await freePort(),
    simulatorSsh: 0,
  };

  let launched: LaunchedPlatform | undefined;
  const removeState = async () => {
    await dropDatabaseAndRoles(databaseUrl);
    if (o.keepState) console.error(`[platform] state kept in ${stateDir}`);
    else rmSync(stateDir, { recursive: true, force: true });
  };
  // A bench that crashes must not leave services running: kill what is left on exit.
  const killLeft = () => {
    for (const p of launched?.processes ?? []) if (p.child.exitCode === null) p.child.kill("SIGKILL");
  };
  process.once("exit", killLeft);

  try {
    await ensureDatabase(databaseUrl);
    launched = await launchPlatform({
      root,
      stateDir,
      databaseUrl,
      busNamespace,
      natsPort: await freePort(),
      ports,
      kek: randomBytes(32).toString("base64"),
      adminPassword,
      simulator: {
        tokenSecret: randomBytes(16).toString("hex"),
        sshPassword: randomBytes(16).toString("base64url"),
      },
      nodes: o.nodes ?? ["pve1", "pve2"],
      ...(o.simulatorEnv ? { simulatorEnv: o.simulatorEnv } : {}),
      ...(o.serviceEnv ? { serviceEnv: o.serviceEnv } : {}),
      ...(o.replicas ? { replicas: o.replicas } : {}),
      runtime,
      logLevel: o.logLevel ?? process.env.BENCH_LOG_LEVEL ?? "warn",
      mode: o.mode ?? "development",
      gatewayHost: "127.0.0.1",
      baseEnv: Object.fromEntries(Object.entries(process.env).filter(([name]) => !NOT_INHERITED.test(name))),
      output: "files",
      onUnexpectedExit: (p, code, signal) => {
        const tail = logTail(p);
        console.error(
          `[platform] ${p.service}#${p.replica} exited unexpectedly (${signal ?? code})${tail ? `:\n${tail}` : ""}`,
        );
      },
    });
  } catch (err) {
    process.removeListener("exit", killLeft);
    await removeState().catch(() => undefined);
    throw err;
  }

  const platform = launched;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
      await platform.stop();
      process.removeListener("exit", killLeft);
      await removeState();
    })();
    return stopped;
  };
  // Ctrl-C during a bench: stop everything (nats-server runs in its own process group and would
  // survive), drop the scratch database and its roles, delete the state (keys, KEK), then exit.
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`[platform] ${signal}: stopping the benchmark's platform`);
    void stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    url: platform.url,
    adminUsername: "admin",
    adminPassword,
    databaseUrl,
    natsUrl: platform.natsUrl,
    busNamespace,
    simulatorAdminUrl: platform.simulatorAdminUrl ?? "",
    runtime,
    stateDir,
    processes: () =>
      platform.processes.map((p) => ({
        service: p.service,
        replica: p.replica,
        pid: p.child.pid ?? -1,
        startedMs: p.startedMs ?? Number.NaN,
      })),
    kill: (service, replica, signal) => platform.kill(service, replica, signal),
    restart: (service, replica) => platform.restart(service, replica),
    stop,
  };
}
