/**
 * Everything a provisioner service test needs, on real servers: PostgreSQL and NATS from the
 * global setup, the Proxmox simulator (HTTP API + SSH), fake hosts/secrets gRPC services, and the
 * provisioner itself started through createProvisionerService.
 */
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import {
  type Bus,
  connectBus,
  type EventDefinition,
  Events,
  eventSigner,
  producerOf,
  streamName,
} from "@proximity/bus";
import { publishSignedEvent } from "@proximity/bus/internal";
import { createDatabase } from "@proximity/db";
import { createServiceClient, generateServiceKeys, type PromiseClient } from "@proximity/grpc";
import { createLogger } from "@proximity/logger";
import { type applicationsEventsV1, hostsV1, provisionerV1 } from "@proximity/proto";
import { createProxmoxClient, createSshExecutor, type ExtendedProxmoxClient } from "@proximity/proxmox";
import {
  createProxmoxSimulator,
  type ProxmoxSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from "@proximity/proxmox-sim";
import type { ServiceHandle } from "@proximity/service-kit";
import { createTestDatabase, eventually, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import type { Kysely } from "kysely";
import { loadProvisionerConfig } from "../../src/config.js";
import type { ProvisionerDatabase } from "../../src/db/database.js";
import { hostConnectionChanges } from "../../src/infra/metrics.js";
import { createProvisionerService } from "../../src/service.js";
import { type FakeHost, type FakePeers, startFakePeers } from "./fake-peers.js";

export const HOST_ID = "host-1";
export const NODE = "pve1";
const TOKEN = { tokenId: "proximity@pve!provisioner", secret: randomUUID() };
const SSH_LOGIN = { username: "root", password: "ssh-password-for-tests" };

type ProgressLine = { step: string; message: string; attempt: number };

type Published = {
  type: "progressed" | "succeeded" | "failed";
  payload: Record<string, unknown> & { operationId: string };
};

export interface Harness {
  readonly sim: ProxmoxSimulator;
  readonly simInfo: RunningSimulator;
  readonly peers: FakePeers;
  readonly bus: Bus;
  /** The provisioner's own schema (for assertions on the journal). */
  readonly db: Kysely<ProvisionerDatabase>;
  /** A client as SRE tooling would use it. */
  readonly sre: PromiseClient<provisionerV1.ProvisionerServiceServer>;
  /** A ProvisionerService client signed as another service (for caller checks); closed by close(). */
  clientAs(
    caller: "applications" | "hosts" | "api-gateway",
  ): PromiseClient<provisionerV1.ProvisionerServiceServer>;
  /** A direct Proxmox client (to play "someone else" on the host). */
  readonly pve: ExtendedProxmoxClient;
  deployRequest(
    overrides?: Partial<applicationsEventsV1.AppDeployRequested>,
  ): applicationsEventsV1.AppDeployRequested;
  /** Publishes AppDeployRequested as the applications service would; returns the event id. */
  publish(request: applicationsEventsV1.AppDeployRequested, eventId?: string): Promise<string>;
  /** Every event on the PROVISIONER stream so far, decoded. */
  events(): Promise<Published[]>;
  /** An operation's progress lines so far, in order (an event carries one or more, a result its last ones). */
  progressLines(operationId: string): Promise<ProgressLine[]>;
  /** Waits for the final event of an operation. */
  outcome(operationId: string, timeoutMs?: number): Promise<Published>;
  /** How many attempts the operation's journal counts (claims that ran its steps). */
  attemptsOf(operationId: string): Promise<number>;
  /** Publishes any event (life-cycle requests) as its producer would; returns the event id. */
  publishEvent<T>(event: EventDefinition<T>, payload: T, eventId?: string): Promise<string>;
  /**
   * Changes a host as the hosts service would (`undefined` removes it): its record is answered
   * from now on and HostConnectionChanged is published. Returns once the provisioner dropped the
   * record it kept, so the next operation reads the new one.
   */
  changeHost(hostId: string, record: FakeHost | undefined): Promise<void>;
  /** Every event of one type on `stream` so far, decoded. */
  eventsOf<T>(event: EventDefinition<T>): Promise<T[]>;
  /** Log lines of the provisioner (raw JSON text), when started with `captureLogs`. */
  readonly logs: string[];
  /** Runs a script inside container `vmid` over the node's SSH (to play a user of the app). */
  runInGuest(vmid: number, script: string): Promise<{ code: number; stdout: string }>;
  /** GET on the simulator's API as an admin would (e.g. `/nodes/pve1/tasks`): the `data` field. */
  api(path: string): Promise<unknown>;
  /** A second provisioner process on the same database, bus namespace and peers. */
  startReplica(): Promise<ServiceHandle>;
  /** Stops the first provisioner process (its durables stay; a replica may take over). */
  stopService(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Keep every provisioner log line (level debug) in `logs`. */
  readonly captureLogs?: boolean;
  /** Simulator settings beyond the defaults (more nodes, slower tasks and commands); every node is registered. */
  readonly simulator?: Pick<SimulatorOptions, "nodes" | "taskDurationMs" | "commandDurationMs">;
}

export async function startHarness(
  env: Record<string, string> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const keys = await generateServiceKeys([
    "provisioner",
    "hosts",
    "secrets",
    "applications",
    // The producer of archive requests: the tests sign them with its key.
    "backups",
    "api-gateway",
    "sre",
  ]);
  const sim = createProxmoxSimulator({
    httpPort: 0,
    sshPort: 0,
    authFailureDelayMs: 0,
    taskDurationMs: 20,
    tokens: [TOKEN],
    ssh: SSH_LOGIN,
    ...options.simulator,
  });
  const simInfo = await sim.start();
  const peers = await startFakePeers(keys);
  registerSimulatedHost(peers, simInfo);

  const testDb = await createTestDatabase();
  const ns = uniqueNamespace();
  const { natsUrl } = testServers();
  const config = loadProvisionerConfig({
    DATABASE_URL: testDb.url,
    NATS_URL: natsUrl,
    GRPC_PORT: "0",
    SERVICE_KEYS_DIR: "/unused-in-tests",
    BUS_NAMESPACE: ns,
    // Small streams: the shared test server reserves what each stream may hold.
    BUS_STREAM_MAX_BYTES: String(8 * 1024 * 1024),
    // A server without authentication and no setup step: the service declares its streams.
    BUS_DECLARE_STREAMS: "true",
    HOSTS_GRPC_ADDR: peers.hostsAddress,
    SECRETS_GRPC_ADDR: peers.secretsAddress,
    PROVISIONER_BACKOFF_BASE_MS: "50",
    PROVISIONER_BACKOFF_MAX_MS: "200",
    TASK_POLL_INTERVAL_MS: "20",
    LOG_LEVEL: "silent",
    // The simulator is registered over plain HTTP, which only development mode reaches.
    PROXIMITY_MODE: "development",
    ...env,
  });
  const logs: string[] = [];
  const logger = options.captureLogs
    ? createLogger(
        { service: "provisioner", level: "debug" },
        new Writable({
          write(chunk: Buffer, _enc, done) {
            logs.push(chunk.toString("utf8"));
            done();
          },
        }),
      )
    : testLogger("provisioner");
  const service: ServiceHandle = createProvisionerService(config, { logger, keys: keys.get("provisioner")! });
  const replicas: ServiceHandle[] = [];
  let serviceStopped = false;
  const guestSsh = createSshExecutor({ logger: testLogger("test-ssh") });
  const { grpcPort } = await service.start();
  const bus = await connectBus({ servers: natsUrl, name: "provisioner-test", ns, logger });
  // Requests are signed by their producer (applications, backups, hosts), as their relays do.
  const signerOf = (event: EventDefinition<unknown>) => eventSigner(keys.get(producerOf(event))!);
  const db = createDatabase<ProvisionerDatabase>({ url: testDb.url, schema: config.DB_SCHEMA });
  const others: PromiseClient<provisionerV1.ProvisionerServiceServer>[] = [];
  const clientAs = (caller: string) =>
    createServiceClient<provisionerV1.ProvisionerServiceServer>(provisionerV1.ProvisionerServiceService, {
      address: `127.0.0.1:${grpcPort}`,
      audience: "provisioner",
      keys: keys.get(caller)!,
    });
  const sre = clientAs("sre");
  const pve = createProxmoxClient(
    { baseUrl: simInfo.baseUrl, auth: { kind: "token", ...TOKEN } },
    { logger },
  );

  const events = async (): Promise<Published[]> => {
    const name = streamName(ns, "PROVISIONER");
    const { state } = await bus.jsm.streams.info(name);
    const out: Published[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const m = await bus.jsm.streams.getMessage(name, { seq });
      const type = m.header.get("ce-type");
      // An event of several operations' progress: an entry each, as an older provisioner's events.
      if (type === Events.OperationsProgressed.type)
        for (const entry of Events.OperationsProgressed.codec.decode(m.data).operations)
          out.push({ type: "progressed", payload: { ...entry } });
      if (type === Events.OperationSucceeded.type)
        out.push({ type: "succeeded", payload: { ...Events.OperationSucceeded.codec.decode(m.data) } });
      if (type === Events.OperationFailed.type)
        out.push({ type: "failed", payload: { ...Events.OperationFailed.codec.decode(m.data) } });
    }
    return out;
  };

  /** Lines in progress events, and those a result carries (its operation's last ones). */
  const progressLines = async (operationId: string): Promise<ProgressLine[]> =>
    (await events())
      .filter((e) => e.payload.operationId === operationId)
      .flatMap((e) => {
        const { step, message, attempt, later, progress } = e.payload as unknown as ProgressLine & {
          later: ProgressLine[];
          progress: ProgressLine[];
        };
        const lines = e.type === "progressed" ? [{ step, message, attempt }, ...later] : progress;
        return lines.map(({ step, message, attempt }) => ({ step, message, attempt }));
      });

  return {
    sim,
    simInfo,
    peers,
    bus,
    db,
    sre,
    clientAs: (caller) => {
      const c = clientAs(caller);
      others.push(c);
      return c;
    },
    pve,
    deployRequest: (overrides = {}) => {
      const appId = overrides.appId ?? `app-${randomUUID().slice(0, 8)}`;
      return {
        operationId: randomUUID(),
        appId,
        ownerId: "user-1",
        hostId: HOST_ID,
        node: NODE,
        hostname: appId,
        catalogId: "nginx",
        compose: 'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "8080:80"\n',
        environment: { GREETING: "hello 'world' $HOME" },
        resources: { cores: 1, memoryMb: 512, diskGb: 4 },
        port: 8080,
        publicPort: 0,
        secretEnvironment: [],
        notAfter: new Date(Date.now() + 30 * 60_000),
        ...overrides,
      };
    },
    publish: async (request, eventId = randomUUID()) => {
      const signer = signerOf(Events.AppDeployRequested);
      await publishSignedEvent(bus.js, ns, signer, Events.AppDeployRequested, request, { id: eventId });
      return eventId;
    },
    events,
    progressLines,
    publishEvent: async (event, payload, eventId = randomUUID()) => {
      await publishSignedEvent(bus.js, ns, signerOf(event), event, payload, { id: eventId });
      return eventId;
    },
    changeHost: async (hostId, record) => {
      if (record) peers.hosts.set(hostId, record);
      else peers.hosts.delete(hostId);
      const before = await hostChangesHandled();
      await publishSignedEvent(
        bus.js,
        ns,
        signerOf(Events.HostConnectionChanged),
        Events.HostConnectionChanged,
        { hostId },
        { id: randomUUID() },
      );
      await eventually(async () => (await hostChangesHandled()) > before, {
        timeoutMs: 10_000,
        what: `HostConnectionChanged of ${hostId} handled`,
      });
    },
    eventsOf: async (event) => {
      const name = streamName(ns, event.stream);
      const { state } = await bus.jsm.streams.info(name);
      const out = [];
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const m = await bus.jsm.streams.getMessage(name, { seq }).catch(() => undefined);
        if (m?.header.get("ce-type") === event.type) out.push(event.codec.decode(m.data));
      }
      return out;
    },
    logs,
    runInGuest: async (vmid, script) => {
      const node = simInfo.nodes[0]!;
      return guestSsh.execInContainer(
        {
          host: node.sshHost,
          port: node.sshPort,
          username: SSH_LOGIN.username,
          auth: { kind: "password", password: SSH_LOGIN.password },
          hostKeyFingerprint: node.hostKeyFingerprint,
        },
        vmid,
        script,
      );
    },
    api: async (path) => {
      const res = await fetch(`${simInfo.baseUrl}/api2/json${path}`, {
        headers: { authorization: `PVEAPIToken=${TOKEN.tokenId}=${TOKEN.secret}` },
      });
      return ((await res.json()) as { data: unknown }).data;
    },
    startReplica: async () => {
      const replica = createProvisionerService(config, { logger, keys: keys.get("provisioner")! });
      await replica.start();
      replicas.push(replica);
      return replica;
    },
    attemptsOf: async (operationId) =>
      (
        await db
          .selectFrom("operations")
          .select("attempts")
          .where("id", "=", operationId)
          .executeTakeFirstOrThrow()
      ).attempts,
    outcome: async (operationId, timeoutMs = 20_000) => {
      const outcome = await eventually(
        async () =>
          (await events()).find(
            (e) => e.payload.operationId === operationId && (e.type === "succeeded" || e.type === "failed"),
          ),
        { timeoutMs, intervalMs: 50, what: `outcome of ${operationId}` },
      );
      if (outcome.type === "succeeded") await expectNoStepRunning(db, operationId);
      return outcome;
    },
    stopService: async () => {
      if (serviceStopped) return;
      serviceStopped = true;
      await service.stop();
    },
    close: async () => {
      for (const r of replicas) await r.stop();
      await guestSsh.close();
      if (!serviceStopped) await service.stop();
      sre.close();
      for (const c of others) c.close();
      await pve.close();
      for (const s of ["APPLICATIONS", "PROVISIONER", "HOSTS", "BACKUPS", "DEAD_LETTERS"] as const)
        await bus.jsm.streams.delete(streamName(ns, s)).catch(() => undefined);
      await bus.jsm.streams.delete(`KV_${ns}_vmid_leases`).catch(() => undefined);
      await bus.jsm.streams.delete(`KV_${ns}_observation_slots`).catch(() => undefined);
      await bus.jsm.streams.delete(`KV_${ns}_node_slots`).catch(() => undefined);
      await bus.close();
      await db.destroy();
      await peers.stop();
      await sim.stop();
      await testDb.drop();
    },
  };
}

/** The simulator as a registered host: API token auth over plain HTTP, its nodes reached over SSH. */
function registerSimulatedHost(peers: FakePeers, sim: RunningSimulator): void {
  const url = new URL(sim.baseUrl);
  peers.hosts.set(HOST_ID, {
    host: {
      id: HOST_ID,
      name: "sim",
      address: url.hostname,
      port: Number(url.port),
      authMode: hostsV1.AuthMode.AUTH_MODE_API_TOKEN,
      username: TOKEN.tokenId,
      tlsFingerprint: "",
      tlsCaFingerprint: "",
      insecureHttp: true,
      status: "online",
      nodes: sim.nodes.map((node) => ({
        hostId: HOST_ID,
        name: node.name,
        status: "online",
        sshHost: node.sshHost,
        sshPort: node.sshPort,
        sshHostKeyFingerprint: node.hostKeyFingerprint,
        trustOnFirstUse: false,
        cpu: 0,
        memBytes: 0,
        maxMemBytes: 0,
        updatedAt: new Date(),
      })),
      createdAt: new Date(),
      updatedAt: new Date(),
      sshUsername: SSH_LOGIN.username,
      backupStorage: "local",
    },
    apiSecretName: `proxmox/hosts/${HOST_ID}/api`,
    sshSecretName: `proxmox/hosts/${HOST_ID}/ssh`,
  });
  peers.secrets.set(`proxmox/hosts/${HOST_ID}/api`, Buffer.from(TOKEN.secret));
  peers.secrets.set(
    `proxmox/hosts/${HOST_ID}/ssh`,
    Buffer.from(JSON.stringify({ password: SSH_LOGIN.password })),
  );
}

/** HostConnectionChanged events handled so far by the provisioners of this process. */
async function hostChangesHandled(): Promise<number> {
  const { values } = await hostConnectionChanges.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

/** A succeeded operation's journal holds no step still running: its last step done went with its result. */
async function expectNoStepRunning(db: Kysely<ProvisionerDatabase>, operationId: string): Promise<void> {
  const running = await db
    .selectFrom("operation_steps")
    .select("name")
    .where("operation_id", "=", operationId)
    .where("status", "=", "running")
    .execute();
  if (running.length > 0)
    throw new Error(
      `operation ${operationId} succeeded with steps still running: ${running.map((s) => s.name)}`,
    );
}
