import { randomBytes, randomUUID } from "node:crypto";
import { type Bus, connectBus, Events, eventSigner, streamName } from "@proximity/bus";
import { publishSignedEvent } from "@proximity/bus/internal";
import { createDatabase } from "@proximity/db";
import { ConflictError } from "@proximity/errors";
import {
  createGrpcServer,
  createHandlerFactory,
  createServiceClient,
  generateServiceKeys,
  type PromiseClient,
  ServiceIdentities,
  type ServiceIdentity,
  type ServiceKeys,
} from "@proximity/grpc";
import { applicationsV1, hostsV1, provisionerEventsV1, secretsV1 } from "@proximity/proto";
import type { ServiceHandle } from "@proximity/service-kit";
import { createTestDatabase, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
// The real secrets service, started in-process as the hosts service's peer (tests only; services
// never import each other).
import { createSecretsService, loadSecretsConfig } from "../../secrets/src/index.js";
import type { HostsDatabase } from "../src/db/database.js";
import { createHostsService, loadHostsConfig } from "../src/index.js";

export type HostsClient = PromiseClient<hostsV1.HostsServiceServer>;
export type SecretsClient = PromiseClient<secretsV1.SecretsServiceServer>;

export const ADMIN = { user: { id: "admin-1", isAdmin: true } };
export const NOT_ADMIN = { user: { id: "user-1", isAdmin: false } };

/** A random OpenSSH-style host key fingerprint. */
export const sshFingerprint = () => `SHA256:${randomBytes(32).toString("base64").replace(/=+$/, "")}`;

/** A valid CreateHost request with distinctive credential values (to search for leaks). */
export function hostRequest(over: Partial<hostsV1.CreateHostRequest> = {}): hostsV1.CreateHostRequest {
  return hostsV1.CreateHostRequest.fromPartial({
    name: `pve-${randomBytes(3).toString("hex")}`,
    address: "127.0.0.1",
    port: 8006,
    authMode: hostsV1.AuthMode.AUTH_MODE_API_TOKEN,
    username: "root@pam!proximity",
    insecureHttp: false,
    nodes: [
      {
        name: "pve1",
        sshHost: "127.0.0.1",
        sshPort: 2222,
        sshHostKeyFingerprint: sshFingerprint(),
        trustOnFirstUse: false,
      },
    ],
    credentials: {
      apiSecret: `api-${randomBytes(8).toString("hex")}`,
      sshPassword: `pw-${randomBytes(8).toString("hex")}`,
      sshPrivateKey: `key-${randomBytes(8).toString("hex")}`,
    },
    ...over,
  });
}

/**
 * One database (secrets and hosts in their own schemas), one bus namespace, a real secrets
 * service, a fake applications service answering CountAppsOnHost and RetireHost from `appCounts`, and the hosts
 * service under test. `startHosts` starts more hosts replicas on the same stack.
 */
export async function startStack(hostsEnv: Record<string, string> = {}) {
  const database = await createTestDatabase();
  const keys = await generateServiceKeys(ServiceIdentities);
  const ns = uniqueNamespace();
  const { natsUrl } = testServers();
  const stops: (() => Promise<void> | void)[] = [];

  const secrets = createSecretsService(
    loadSecretsConfig({
      DATABASE_URL: database.url,
      GRPC_PORT: "0",
      SERVICE_KEYS_DIR: "-",
      SECRETS_KEK: randomBytes(32).toString("base64"),
    }),
    { logger: testLogger("secrets"), keys: keys.get("secrets")! },
  );
  const secretsAddress = `127.0.0.1:${(await secrets.start()).grpcPort}`;
  stops.push(() => secrets.stop());

  const appCounts = new Map<string, number>();
  /** Every call the fake applications service received (a host check must make none). */
  const applicationsCalls: string[] = [];
  const applicationsAddress = await startFakeApplications(
    keys.get("applications")!,
    appCounts,
    applicationsCalls,
    stops,
  );

  const startHosts = async (env: Record<string, string> = hostsEnv) => {
    const config = loadHostsConfig({
      DATABASE_URL: database.url,
      NATS_URL: natsUrl,
      BUS_NAMESPACE: ns,
      // Small streams: the shared test server reserves what each stream may hold.
      BUS_STREAM_MAX_BYTES: String(8 * 1024 * 1024),
      // A server without authentication and no setup step: the service declares its streams.
      BUS_DECLARE_STREAMS: "true",
      GRPC_PORT: "0",
      SERVICE_KEYS_DIR: "-",
      SECRETS_GRPC_ADDR: secretsAddress,
      APPLICATIONS_GRPC_ADDR: applicationsAddress,
      // Periodic checks off unless a test turns them on (their requests would be noise).
      HOST_CHECK_INTERVAL_MS: "0",
      ...env,
    });
    const service: ServiceHandle = createHostsService(config, {
      logger: testLogger("hosts"),
      keys: keys.get("hosts")!,
    });
    const { grpcPort } = await service.start();
    return { service, address: `127.0.0.1:${grpcPort}` };
  };
  const first = await startHosts();
  stops.push(() => first.service.stop());

  const db: Kysely<HostsDatabase> = createDatabase<HostsDatabase>({ url: database.url, schema: "hosts" });
  const bus: Bus = await connectBus({ servers: natsUrl, name: "hosts-test", ns, logger: testLogger() });
  const clients: { close(): void }[] = [];
  const client = <S>(
    definition: Parameters<typeof createServiceClient>[0],
    address: string,
    audience: string,
    as: ServiceIdentity,
  ) => {
    const c = createServiceClient<S>(definition, { address, audience, keys: keys.get(as)! });
    clients.push(c);
    return c;
  };

  return {
    db,
    bus,
    keys,
    appCounts,
    applicationsCalls,
    startHosts,
    hostsAs: (as: ServiceIdentity, address = first.address): HostsClient =>
      client<hostsV1.HostsServiceServer>(hostsV1.HostsServiceService, address, "hosts", as),
    secretsAs: (as: ServiceIdentity): SecretsClient =>
      client<secretsV1.SecretsServiceServer>(secretsV1.SecretsServiceService, secretsAddress, "secrets", as),
    async stop() {
      for (const c of clients) c.close();
      await bus.close();
      await db.destroy();
      for (const stop of stops.reverse()) await stop();
      await database.drop();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

async function startFakeApplications(
  keys: ServiceKeys,
  counts: Map<string, number>,
  calls: string[],
  stops: (() => Promise<void> | void)[],
): Promise<string> {
  const h = createHandlerFactory({ keys, logger: testLogger("applications") });
  const server = createGrpcServer({
    logger: testLogger("applications"),
    keys,
    port: 0,
    services: [
      {
        name: "proximity.applications.v1.ApplicationsService",
        definition: applicationsV1.ApplicationsServiceService,
        // Only the RPCs the hosts service calls; grpc-js answers UNIMPLEMENTED for the rest.
        implementation: {
          countAppsOnHost: h.unary<
            applicationsV1.CountAppsOnHostRequest,
            applicationsV1.CountAppsOnHostResponse
          >("CountAppsOnHost", { callers: ["hosts"] }, async (req) => {
            calls.push(`CountAppsOnHost ${req.hostId}`);
            return { count: counts.get(req.hostId) ?? 0 };
          }),
          // Refuses while `counts` has apps on the host, as the real service does.
          retireHost: h.unary<applicationsV1.RetireHostRequest, applicationsV1.RetireHostResponse>(
            "RetireHost",
            { callers: ["hosts"] },
            async (req) => {
              calls.push(`RetireHost ${req.hostId}`);
              const live = counts.get(req.hostId) ?? 0;
              if (live > 0) throw new ConflictError(`${live} apps are still live on this host`);
              return {};
            },
          ),
          reinstateHost: h.unary<applicationsV1.ReinstateHostRequest, applicationsV1.ReinstateHostResponse>(
            "ReinstateHost",
            { callers: ["hosts"] },
            async (req) => {
              calls.push(`ReinstateHost ${req.hostId}`);
              return {};
            },
          ),
        },
      },
    ],
  });
  const port = await server.start();
  server.setServing(true);
  stops.push(() => server.shutdown(1_000));
  return `127.0.0.1:${port}`;
}

/** An event of the HOSTS stream, decoded (fields of every hosts event type). */
export interface HostEvent {
  type: string;
  hostId: string;
  name?: string;
  checkId?: string;
  node?: string;
  previousStatus?: string;
  status?: string;
  reason?: string;
}

/** Every event in the namespace's HOSTS stream, decoded, in order. */
export async function hostEvents(bus: Bus): Promise<HostEvent[]> {
  const stream = streamName(bus.ns, "HOSTS");
  const { state } = await bus.jsm.streams.info(stream);
  const events: HostEvent[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const msg = await bus.jsm.streams.getMessage(stream, { seq });
    const type = msg.header.get("ce-type");
    if (type === Events.HostRegistered.type)
      events.push({ type: "HostRegistered", ...Events.HostRegistered.codec.decode(msg.data) });
    if (type === Events.HostRemoved.type)
      events.push({ type: "HostRemoved", ...Events.HostRemoved.codec.decode(msg.data) });
    if (type === Events.HostConnectionChanged.type)
      events.push({ type: "HostConnectionChanged", ...Events.HostConnectionChanged.codec.decode(msg.data) });
    if (type === Events.HostCheckRequested.type)
      events.push({ type: "HostCheckRequested", ...Events.HostCheckRequested.codec.decode(msg.data) });
    if (type === Events.HostStatusChanged.type)
      events.push({ type: "HostStatusChanged", ...Events.HostStatusChanged.codec.decode(msg.data) });
    if (type === Events.NodeStatusChanged.type)
      events.push({ type: "NodeStatusChanged", ...Events.NodeStatusChanged.codec.decode(msg.data) });
  }
  return events;
}

/** Names of live secrets in the secrets schema (the test's view into the peer's storage). */
export async function liveSecretNames(db: Kysely<HostsDatabase>): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from secrets.secret_versions order by name`.execute(
    db,
  );
  return [...new Set(rows.rows.map((r) => r.name))];
}

/** Every row of every table of `schema`, as text (to prove what is not stored). */
export async function dumpSchema(db: Kysely<HostsDatabase>, schema: string): Promise<string> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = ${schema}`.execute(db);
  let dump = "";
  for (const { name } of tables.rows) {
    const rows = await sql<{
      t: string;
    }>`select t::text as t from ${sql.table(`${schema}.${name}`)} t`.execute(db);
    dump += `${rows.rows.map((r) => r.t).join("\n")}\n`;
  }
  return dump;
}

/** Publishes HostChecked as the provisioner would (its answer to a HostCheckRequested, signed by it). */
export async function publishHostChecked(
  stack: { readonly bus: Bus; readonly keys: ReadonlyMap<string, ServiceKeys> },
  report: Partial<provisionerEventsV1.HostChecked> & { hostId: string },
): Promise<void> {
  const payload = provisionerEventsV1.HostChecked.fromPartial({ checkId: randomUUID(), ...report });
  const signer = eventSigner(stack.keys.get("provisioner")!);
  await publishSignedEvent(stack.bus.js, stack.bus.ns, signer, Events.HostChecked, payload);
}
