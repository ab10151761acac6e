/**
 * Launches the platform as separate processes, as in production: its own nats-server (a user and
 * permissions per service; setup declares every stream), each service's database roles and
 * migrated schema (setup as the schema's owner; each service runs as its runtime role), the
 * simulator as the default Proxmox host, then every service in dependency order. Used by the dev
 * runner (scripts/run-platform.ts: fixed ports, state in .dev/) and by benchmarks
 * (tests/bench/src/platform-processes.ts: free ports, a scratch directory and database).
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setupPlatformDatabase } from "../../deploy/service-databases.js";
import { ServiceIdentities, writeServiceBundles } from "../../packages/identity/src/index.js";
import { declareDevBus, prepareDevNats } from "../dev-nats.js";
import { freePort, isPortOpen, waitForPort } from "./ports.js";
import {
  hasExited,
  logTail,
  type Output,
  type PlatformProcess,
  type Runtime,
  serviceArgs,
  spawnProcess,
  terminate,
} from "./service-process.js";
import { readSimulatorState, simulatorCertificate, simulatorHost } from "./simulator.js";

export type { Runtime };

export type ServiceName = "secrets" | "hosts" | "applications" | "backups" | "provisioner" | "api-gateway";

/** Ports of the first replica of each service, and of the simulator. */
export interface PlatformPorts {
  readonly secrets: number;
  readonly hosts: number;
  readonly applications: number;
  readonly backups: number;
  readonly provisioner: number;
  /** The gateway's HTTP port. */
  readonly "api-gateway": number;
  readonly simulatorHttp: number;
  readonly simulatorAdmin: number;
  /** SSH port of the simulator's first node (node i: + i); 0 picks free ones. */
  readonly simulatorSsh: number;
}

export interface LaunchOptions {
  /** The repository (services/<svc>/…). */
  readonly root: string;
  /** Keys (trust/), nats-server's configuration and store (nats/), the simulator's files, logs. */
  readonly stateDir: string;
  /** Superuser URL of the platform's database (it must exist). */
  readonly databaseUrl: string;
  readonly busNamespace: string;
  /** A NATS server without authentication to use instead of the platform's own nats-server. */
  readonly externalNatsUrl?: string;
  /** Port of the platform's own nats-server. */
  readonly natsPort: number;
  readonly ports: PlatformPorts;
  readonly kek: string;
  readonly adminPassword: string;
  readonly simulator: { readonly tokenSecret: string; readonly sshPassword: string };
  /** A real Proxmox host (CreateHostRequest JSON) registered instead of starting the simulator. */
  readonly bootstrapHostJson?: string;
  readonly nodes: readonly string[];
  readonly simulatorEnv?: Record<string, string>;
  readonly serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Processes per service (default 1); extra replicas listen on free ports. */
  readonly replicas?: Partial<Record<ServiceName, number>>;
  readonly runtime: Runtime;
  readonly logLevel: string;
  /** PROXIMITY_MODE of every service. */
  readonly mode: "development" | "production";
  /** Interface of the gateway's HTTP listener. */
  readonly gatewayHost: string;
  /** What the services inherit (the caller removes its own secrets first). */
  readonly baseEnv: NodeJS.ProcessEnv;
  /** `inherit`: this terminal; `files`: `<stateDir>/logs/<process>.log`. */
  readonly output: "inherit" | "files";
  /** A process exited without being asked to (after start: the platform keeps running). */
  readonly onUnexpectedExit?: (
    p: PlatformProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ) => void;
}

export interface LaunchedPlatform {
  readonly url: string;
  readonly natsUrl: string;
  readonly simulatorAdminUrl?: string;
  /** Every process started, in start order (nats-server and the simulator included). */
  readonly processes: readonly PlatformProcess[];
  /** Sends `signal` (default SIGTERM) to one replica; its exit is not reported as unexpected. */
  kill(service: string, replica: number, signal?: NodeJS.Signals): void;
  /**
   * Starts a killed replica of a service again, with the same environment and port; resolves once
   * it listens. Its entry in `processes` is replaced by the new process.
   */
  restart(service: ServiceName, replica: number): Promise<void>;
  /** Stops every process, the gateway first and nats-server last. */
  stop(): Promise<void>;
}

/** gRPC address of each service's first replica, as its peers are told. */
function peerAddresses(ports: PlatformPorts): Record<string, string> {
  const at = (port: number) => `127.0.0.1:${port}`;
  return {
    APPLICATIONS_GRPC_ADDR: at(ports.applications),
    HOSTS_GRPC_ADDR: at(ports.hosts),
    BACKUPS_GRPC_ADDR: at(ports.backups),
    SECRETS_GRPC_ADDR: at(ports.secrets),
    PROVISIONER_GRPC_ADDR: at(ports.provisioner),
  };
}

export async function launchPlatform(o: LaunchOptions): Promise<LaunchedPlatform> {
  const trustDir = join(o.stateDir, "trust");
  const logsDir = join(o.stateDir, "logs");
  const processes: PlatformProcess[] = [];
  /** How each service replica is started again (restart()). */
  const respawns = new Map<string, () => Promise<PlatformProcess>>();
  let stopping = false;
  const outputOf = (name: string): Output =>
    o.output === "files" ? { kind: "file", path: join(logsDir, `${name}.log`) } : { kind: "inherit" };

  const track = (p: PlatformProcess) => {
    processes.push(p);
    p.child.on("exit", (code, signal) => {
      if (!stopping && !p.expectedExit) o.onUnexpectedExit?.(p, code, signal);
    });
    return p;
  };
  const waitOpen = async (p: PlatformProcess, port: number) => {
    try {
      await waitForPort(port, `${p.service}#${p.replica}`, { gone: () => hasExited(p) });
    } catch (err) {
      const tail = logTail(p);
      throw new Error(`${(err as Error).message}${tail ? `\n--- its log ---\n${tail}` : ""}`);
    }
    p.startedMs = performance.now() - p.spawnedAt;
  };
  const stop = async () => {
    stopping = true;
    // Reverse start order: the gateway stops taking requests first, nats-server goes last (the
    // services drain their connections while it still runs).
    for (const p of [...processes].reverse()) await terminate(p);
  };

  try {
    if (o.output === "files") mkdirSync(logsDir, { recursive: true, mode: 0o700 });
    // One bundle per service (each service is given only its own directory).
    await writeServiceBundles(trustDir, ServiceIdentities);
    // One owner and one runtime role per service schema; the runtime URLs go into the bundles.
    const databaseUrlFiles = await setupPlatformDatabase({ adminUrl: o.databaseUrl, bundlesDir: trustDir });

    let natsUrl = o.externalNatsUrl;
    let adminSeed: string | undefined;
    if (!natsUrl) {
      const nats = prepareDevNats(o.stateDir, trustDir, o.busNamespace, o.natsPort);
      if (await isPortOpen(nats.port))
        throw new Error(
          `port ${nats.port} is taken (a nats-server of an earlier run?): stop it, or set DEV_NATS_PORT`,
        );
      // Its own process group: Ctrl-C reaches the services, which drain while it still runs.
      const server = track(
        spawnProcess({
          service: "nats-server",
          replica: 0,
          command: nats.command,
          args: nats.args,
          cwd: o.root,
          env: o.baseEnv,
          output: { kind: "inherit" }, // it writes its own log (nats.logFile)
          detached: true,
        }),
      );
      await waitOpen(server, nats.port);
      natsUrl = nats.url;
      adminSeed = nats.adminSeed;
    }
    // Setup, not the services, declares every stream and KV bucket.
    await declareDevBus(natsUrl, o.busNamespace, adminSeed);

    const common = {
      NATS_URL: natsUrl,
      BUS_NAMESPACE: o.busNamespace,
      LOG_LEVEL: o.logLevel,
      PROXIMITY_MODE: o.mode,
      ...peerAddresses(o.ports),
    };
    const startService = (
      service: ServiceName | "proxmox-sim",
      replica: number,
      env: Record<string, string>,
    ) => {
      const databaseUrlFile = databaseUrlFiles.get(service);
      return track(
        spawnProcess({
          service,
          replica,
          command: process.execPath,
          args: serviceArgs(o.root, service, o.runtime),
          cwd: o.root,
          output: outputOf(replica === 0 ? service : `${service}-${replica}`),
          env: {
            ...o.baseEnv,
            ...env,
            // Each service reads only its own bundle (its private keys, the peers' public ones).
            ...(service === "proxmox-sim" ? {} : { SERVICE_KEYS_DIR: join(trustDir, service) }),
            // Like production: setup migrated as the schema's owner; the service runs as its runtime role.
            ...(databaseUrlFile ? { DATABASE_URL_FILE: databaseUrlFile, MIGRATE_ON_START: "false" } : {}),
          },
        }),
      );
    };

    let bootstrapHost = o.bootstrapHostJson;
    let simulatorAdminUrl: string | undefined;
    if (!bootstrapHost) {
      const stateFile = join(o.stateDir, "sim-state.json");
      rmSync(stateFile, { force: true }); // a stale one would be read
      const sim = startService("proxmox-sim", 0, {
        ...simulatorCertificate(o.stateDir),
        LOG_LEVEL: o.logLevel,
        SIM_TOKEN_SECRET: o.simulator.tokenSecret,
        SIM_SSH_PASSWORD: o.simulator.sshPassword,
        SIM_STATE_FILE: stateFile,
        SIM_HOST_KEY_DIR: join(o.stateDir, "sim-host-keys"),
        SIM_NODES: o.nodes.join(","),
        SIM_HTTP_PORT: String(o.ports.simulatorHttp),
        SIM_ADMIN_PORT: String(o.ports.simulatorAdmin),
        SIM_SSH_PORT: String(o.ports.simulatorSsh),
        ...o.simulatorEnv,
      });
      await waitOpen(sim, o.ports.simulatorHttp);
      const state = await readSimulatorState(stateFile, { gone: () => hasExited(sim) });
      simulatorAdminUrl = state.adminUrl;
      bootstrapHost = simulatorHost(state, o.simulator, o.ports.simulatorHttp);
    }

    const own: Record<ServiceName, Record<string, string>> = {
      secrets: { SECRETS_KEK: o.kek },
      hosts: { BOOTSTRAP_HOST_JSON: bootstrapHost },
      applications: {},
      backups: {},
      provisioner: {},
      "api-gateway": {
        HTTP_HOST: o.gatewayHost,
        BOOTSTRAP_ADMIN_USERNAME: "admin",
        BOOTSTRAP_ADMIN_PASSWORD: o.adminPassword,
      },
    };
    const startAll = async (service: ServiceName) => {
      const count = Math.max(1, o.replicas?.[service] ?? 1);
      await Promise.all(
        Array.from({ length: count }, async (_, replica) => {
          const port = replica === 0 ? o.ports[service] : await freePort();
          const portVariable = service === "api-gateway" ? "HTTP_PORT" : "GRPC_PORT";
          const spawnReplica = async () => {
            const p = startService(service, replica, {
              ...common,
              ...own[service],
              [portVariable]: String(port),
              ...o.serviceEnv?.[service],
            });
            await waitOpen(p, port);
            return p;
          };
          respawns.set(`${service}#${replica}`, spawnReplica);
          await spawnReplica();
        }),
      );
    };
    // Secrets first (hosts writes the bootstrap host's credentials there), then hosts, then the
    // rest, the public door last.
    await startAll("secrets");
    await startAll("hosts");
    await Promise.all((["applications", "backups", "provisioner"] as const).map(startAll));
    await startAll("api-gateway");

    return {
      url: `http://127.0.0.1:${o.ports["api-gateway"]}`,
      natsUrl,
      ...(simulatorAdminUrl ? { simulatorAdminUrl } : {}),
      processes,
      kill(service, replica, signal = "SIGTERM") {
        const p = processes.find((x) => x.service === service && x.replica === replica);
        if (!p) throw new Error(`no process ${service}#${replica}`);
        p.expectedExit = true;
        p.child.kill(signal);
      },
      async restart(service, replica) {
        const old = processes.find((x) => x.service === service && x.replica === replica);
        const respawn = respawns.get(`${service}#${replica}`);
        if (!old || !respawn) throw new Error(`no process ${service}#${replica}`);
        if (!hasExited(old)) await new Promise((r) => old.child.once("exit", r));
        const p = await respawn();
        // track() appended the new process: it takes the old one's place.
        processes.splice(processes.indexOf(p), 1);
        processes.splice(processes.indexOf(old), 1, p);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
