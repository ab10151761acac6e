import { randomBytes, randomUUID } from "node:crypto";
import type { Writable } from "node:stream";
import { createGatewayService, loadGatewayConfig } from "@proximity/api-gateway";
import { createApplicationsService, loadApplicationsConfig } from "@proximity/applications";
import { createBackupsService, loadBackupsConfig } from "@proximity/backups";
import { connectBusAdmin, declareBus, untilLeaderAnswers } from "@proximity/bus";
import {
  createServiceClient,
  generateServiceKeys,
  ServiceIdentities,
  type ServiceKeys,
} from "@proximity/grpc";
import { createHostsService, loadHostsConfig } from "@proximity/hosts";
import { createLogger, type Logger } from "@proximity/logger";
import { secretsV1 } from "@proximity/proto";
import { createProvisionerService, loadProvisionerConfig } from "@proximity/provisioner";
import { createProxmoxSimulator, type ProxmoxSimulator, type RunningSimulator } from "@proximity/proxmox-sim";
import { createSecretsService, loadSecretsConfig } from "@proximity/secrets";
import type { ServiceHandle } from "@proximity/service-kit";
import { createTelemetry, type Telemetry } from "@proximity/telemetry";
import { connect } from "nats";
import { freePort } from "./free-port.js";
import { createScratchDatabase } from "./scratch-database.js";

export interface PlatformOptions {
  readonly databaseUrl: string;
  readonly natsUrl: string;
  /** pino level of every service (default "silent", or "debug" when `logSink` is given). */
  readonly logLevel?: string;
  /** Where every service writes its log lines (to inspect them); default stdout. */
  readonly logSink?: Writable;
  /** Simulator nodes (default ["pve1"]) and task duration (default 20 ms). */
  readonly nodes?: readonly string[];
  readonly taskDurationMs?: number;
  /** Extra provisioner variables, e.g. PROVISIONER_MAX_DELIVER. */
  readonly provisionerEnv?: Record<string, string>;
  /** Extra hosts variables, e.g. HOST_CHECK_INTERVAL_MS. */
  readonly hostsEnv?: Record<string, string>;
  /** Extra gateway variables, e.g. RATE_LIMIT_PER_MINUTE. */
  readonly gatewayEnv?: Record<string, string>;
  /** Extra applications variables, e.g. METRICS_STALE_AFTER_MS, APP_PORT_RANGE. */
  readonly applicationsEnv?: Record<string, string>;
  /** Extra backups variables, e.g. BACKUP_SCHEDULER_INTERVAL_MS. */
  readonly backupsEnv?: Record<string, string>;
  /**
   * Instances of the backups service (default 1), all on the same database and bus, as replicas
   * of one deployment are: the first serves BACKUPS_GRPC_ADDR, the others a gRPC port of their own
   * (their schedulers and consumers compete for the same work).
   */
  readonly backupsReplicas?: number;
  /**
   * Every identity's keys (default: fresh ones) and the bus namespace (default: a fresh one), for
   * a NATS server configured beforehand for them (natsServerConfig: users and permissions).
   */
  readonly keys?: ReadonlyMap<string, ServiceKeys>;
  readonly busNamespace?: string;
  /**
   * The bus admin's nkey seed on a NATS server with authentication (natsServerConfig `admin`):
   * the platform's setup step declares the streams and KV buckets with it, as compose's bus-init
   * does. None on a server without authentication.
   */
  readonly busAdminSeed?: string;
  /** Copies of every stream and KV bucket (declareBus `replicas`, BUS_REPLICAS): 3 on a three-node cluster; default 1. */
  readonly busReplicas?: number;
  /** OTEL_* variables of every service's tracing (each its own provider and service.name); none: off. */
  readonly telemetryEnv?: Record<string, string>;
}

/** Credentials of the simulator, as an admin would type them into POST /api/proxmox/hosts. */
export interface SimulatorCredentials {
  readonly tokenId: string;
  readonly tokenSecret: string;
  readonly sshUser: string;
  readonly sshPassword: string;
}

export interface Platform {
  /** Base URL of the gateway, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly adminUsername: string;
  readonly adminPassword: string;
  readonly sim: ProxmoxSimulator;
  readonly simulator: RunningSimulator;
  readonly simulatorCredentials: SimulatorCredentials;
  /** The scratch database all services of this platform use (one schema each). */
  readonly databaseUrl: string;
  /** The bus namespace of this platform (its streams are `<NAMESPACE>_*`). */
  readonly busNamespace: string;
  /** host:port of each service's gRPC server (for operator tooling: proximityctl). */
  readonly grpcAddresses: Readonly<
    Record<"applications" | "hosts" | "backups" | "secrets" | "provisioner", string>
  >;
  /** Reads a secret as the provisioner would (tests that look for leaked values). */
  readSecretAsProvisioner(name: string): Promise<string>;
  /** Body of POST /api/proxmox/hosts registering the simulator. */
  hostRegistration(name?: string): Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * Starts the whole platform in this process: the Proxmox VE simulator and every service, wired to
 * each other with fresh keys, a scratch database and a bus namespace of their own. Used by the
 * end-to-end tests and the benchmark; nothing is shared with other runs on the same servers.
 */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const level = options.logLevel ?? (options.logSink ? "debug" : "silent");
  const logger = createLogger({ service: "e2e", level }, options.logSink);
  const keys = options.keys ?? (await generateServiceKeys(ServiceIdentities));
  const database = await createScratchDatabase(options.databaseUrl);
  const ns = options.busNamespace ?? `e2e${randomBytes(4).toString("hex")}`;
  const credentials: SimulatorCredentials = {
    tokenId: "root@pam!proximity",
    tokenSecret: randomUUID(),
    sshUser: "root",
    sshPassword: randomBytes(12).toString("base64url"),
  };
  const sim = createProxmoxSimulator({
    host: "127.0.0.1",
    httpPort: 0,
    sshPort: 0,
    nodes: options.nodes ?? ["pve1"],
    tokens: [{ tokenId: credentials.tokenId, secret: credentials.tokenSecret }],
    ssh: { username: credentials.sshUser, password: credentials.sshPassword },
    taskDurationMs: options.taskDurationMs ?? 20,
    authFailureDelayMs: 0,
  });
  const simulator = await sim.start();
  const [applicationsPort, hostsPort, backupsPort, secretsPort, provisionerPort] = await Promise.all(
    [1, 2, 3, 4, 5].map(() => freePort()),
  );
  const backupsReplicas = options.backupsReplicas ?? 1;
  if (!Number.isInteger(backupsReplicas) || backupsReplicas < 1)
    throw new Error(`backupsReplicas must be a positive integer, got ${backupsReplicas}`);
  const address = (port: number | undefined) => `127.0.0.1:${port}`;
  const common = {
    DATABASE_URL: database.url,
    NATS_URL: options.natsUrl,
    BUS_NAMESPACE: ns,
    // Small streams: the shared test server reserves what each stream may hold.
    BUS_STREAM_MAX_BYTES: String(8 * 1024 * 1024),
    SERVICE_KEYS_DIR: "(in memory)",
    LOG_LEVEL: level,
    APPLICATIONS_GRPC_ADDR: address(applicationsPort),
    HOSTS_GRPC_ADDR: address(hostsPort),
    BACKUPS_GRPC_ADDR: address(backupsPort),
    SECRETS_GRPC_ADDR: address(secretsPort),
    PROVISIONER_GRPC_ADDR: address(provisionerPort),
  };
  const adminPassword = randomBytes(12).toString("base64url");
  const started: ServiceHandle<unknown>[] = [];
  const run = async <T>(name: string, service: ServiceHandle<T>): Promise<T> => {
    const result = await service.start();
    started.push(service);
    logger.debug({ service: name }, "started");
    return result;
  };
  const deps = (
    name: string,
  ): { logger: Logger; keys: NonNullable<ReturnType<typeof keys.get>>; telemetry: Telemetry } => ({
    logger: createLogger({ service: name, level }, options.logSink),
    keys: keys.get(name)!,
    telemetry: createTelemetry({ service: name, env: options.telemetryEnv ?? {} }),
  });

  try {
    await declarePlatformBus(options, ns);
    const kek = randomBytes(32).toString("base64");
    await run(
      "secrets",
      createSecretsService(
        loadSecretsConfig({ ...common, GRPC_PORT: String(secretsPort), SECRETS_KEK: kek }),
        deps("secrets"),
      ),
    );
    await run(
      "hosts",
      createHostsService(
        // The simulator is registered over plain HTTP, which only development mode allows.
        loadHostsConfig({
          ...common,
          PROXIMITY_MODE: "development",
          GRPC_PORT: String(hostsPort),
          ...options.hostsEnv,
        }),
        deps("hosts"),
      ),
    );
    await run(
      "applications",
      createApplicationsService(
        loadApplicationsConfig({
          ...common,
          GRPC_PORT: String(applicationsPort),
          ...options.applicationsEnv,
        }),
        deps("applications"),
      ),
    );
    // Replicas start one after another: the first one migrates the schema.
    for (let replica = 1; replica <= backupsReplicas; replica++) {
      const port = replica === 1 ? backupsPort : await freePort();
      const name = replica === 1 ? "backups" : `backups-replica-${replica}`;
      await run(
        name,
        createBackupsService(
          loadBackupsConfig({ ...common, GRPC_PORT: String(port), ...options.backupsEnv }),
          { ...deps("backups"), logger: createLogger({ service: name, level }, options.logSink) },
        ),
      );
    }
    await run(
      "provisioner",
      createProvisionerService(
        loadProvisionerConfig({
          ...common,
          GRPC_PORT: String(provisionerPort),
          TASK_POLL_INTERVAL_MS: "20",
          // It reaches the simulator over plain HTTP, which only development mode allows.
          PROXIMITY_MODE: "development",
          ...options.provisionerEnv,
        }),
        deps("provisioner"),
      ),
    );
    const gateway = await run(
      "api-gateway",
      createGatewayService(
        loadGatewayConfig({
          ...common,
          HTTP_HOST: "127.0.0.1",
          HTTP_PORT: "0",
          BOOTSTRAP_ADMIN_USERNAME: "admin",
          BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
          ...options.gatewayEnv,
        }),
        deps("api-gateway"),
      ),
    );
    return {
      url: gateway.url,
      adminUsername: "admin",
      adminPassword,
      sim,
      simulator,
      simulatorCredentials: credentials,
      databaseUrl: database.url,
      busNamespace: ns,
      grpcAddresses: {
        applications: common.APPLICATIONS_GRPC_ADDR,
        hosts: common.HOSTS_GRPC_ADDR,
        backups: common.BACKUPS_GRPC_ADDR,
        secrets: common.SECRETS_GRPC_ADDR,
        provisioner: common.PROVISIONER_GRPC_ADDR,
      },
      readSecretAsProvisioner: async (name) => {
        const client = createServiceClient<secretsV1.SecretsServiceServer>(secretsV1.SecretsServiceService, {
          address: address(secretsPort),
          audience: "secrets",
          keys: keys.get("provisioner")!,
        });
        try {
          return Buffer.from((await client.getSecret({ name })).value).toString("utf8");
        } finally {
          client.close();
        }
      },
      hostRegistration: (name = "simulator") => ({
        name,
        address: new URL(simulator.baseUrl).hostname,
        port: Number(new URL(simulator.baseUrl).port),
        auth_mode: "api_token",
        username: credentials.tokenId,
        api_secret: credentials.tokenSecret,
        insecure_http: true,
        ssh_username: credentials.sshUser,
        ssh_password: credentials.sshPassword,
        nodes: simulator.nodes.map((n) => ({
          name: n.name,
          ssh_host: n.sshHost,
          ssh_port: n.sshPort,
          ssh_host_key_fingerprint: n.hostKeyFingerprint,
        })),
      }),
      stop: () => stopAll(started, sim, options.natsUrl, ns, database.drop),
    };
  } catch (err) {
    await stopAll(started, sim, options.natsUrl, ns, database.drop);
    throw err;
  }
}

/**
 * The setup step, as in production: every stream and KV bucket of `ns` declared by the bus admin
 * before any service starts (small streams: the shared server reserves what each may hold). The
 * services only use them (BUS_DECLARE_STREAMS stays false).
 */
async function declarePlatformBus(options: PlatformOptions, ns: string): Promise<void> {
  const admin = await connectBusAdmin({
    servers: options.natsUrl,
    ...(options.busAdminSeed ? { seed: options.busAdminSeed } : {}),
  });
  try {
    await declareBus(admin, ns, {
      limits: { maxBytes: 8 * 1024 * 1024, maxMessageBytes: 1024 * 1024 },
      ...(options.busReplicas ? { replicas: options.busReplicas } : {}),
    });
  } finally {
    await admin.close();
  }
}

/** JetStream's "stream not found" API error code. */
const STREAM_NOT_FOUND = 10059;

async function stopAll(
  started: ServiceHandle<unknown>[],
  sim: ProxmoxSimulator,
  natsUrl: string,
  ns: string,
  dropDatabase: () => Promise<void>,
): Promise<void> {
  for (const service of started.reverse()) await service.stop().catch(() => undefined);
  await sim.stop().catch(() => undefined);
  // Leave the shared NATS server as we found it: remove this run's streams and KV buckets. A server
  // with authentication (no anonymous user, no service may delete a stream) belongs to its test.
  // A cluster a test has just put through leader kills may take a while to answer (an election of a
  // stream being deleted): each request waits that out, and what is still left then is only logged,
  // never a failure of the test that ran (the namespace is its own).
  const nc = await connect({ servers: natsUrl.split(",") }).catch(() => undefined);
  if (nc) {
    try {
      const jsm = await nc.jetstreamManager();
      const patiently = <T>(request: () => Promise<T>) =>
        untilLeaderAnswers(request, { retryTimeouts: true });
      const names = await patiently(async () => {
        const all: string[] = [];
        for await (const name of jsm.streams.names()) all.push(name);
        return all;
      });
      for (const name of names) {
        if (!name.startsWith(`${ns.toUpperCase()}_`) && !name.startsWith(`KV_${ns}`)) continue;
        // A repeat after a delete that landed unanswered finds the stream gone: done as well.
        await patiently(() => jsm.streams.delete(name)).catch((err: unknown) => {
          if ((err as { api_error?: { err_code?: number } }).api_error?.err_code !== STREAM_NOT_FOUND)
            throw err;
        });
      }
    } catch (err) {
      console.warn(`platform stop: streams of ${ns} not all removed: ${String(err)}`);
    } finally {
      await nc.close().catch(() => undefined);
    }
  }
  await dropDatabase().catch(() => undefined);
}
