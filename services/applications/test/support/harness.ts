import { randomUUID } from "node:crypto";
import {
  type EventDefinition,
  type EventEnvelope,
  Events,
  eventSigner,
  producerOf,
  readEnvelope,
  streamName,
  subjectOf,
} from "@proximity/bus";
import { publishSignedEvent } from "@proximity/bus/internal";
import { createDatabase } from "@proximity/db";
import {
  type CallOptions,
  createServiceClient,
  type EndUser,
  generateServiceKeys,
  type PromiseClient,
} from "@proximity/grpc";
import { type applicationsEventsV1, applicationsV1 } from "@proximity/proto";
import type { ServiceHandle } from "@proximity/service-kit";
import { createTestDatabase, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import type { Kysely } from "kysely";
import { connect, type JetStreamClient, type NatsConnection } from "nats";
import { loadApplicationsConfig } from "../../src/config.js";
import type { ApplicationsDatabase } from "../../src/db/database.js";
import { createApplicationsService } from "../../src/service.js";
import { type FakeHosts, startFakeHosts } from "./fake-hosts.js";
import {
  type FakeProvisioner,
  type FakeSecrets,
  startFakeProvisioner,
  startFakeSecrets,
} from "./fake-peers.js";

export type ApplicationsClient = PromiseClient<applicationsV1.ApplicationsServiceServer>;

export interface DeployRequestOnBus {
  readonly payload: applicationsEventsV1.AppDeployRequested;
  readonly envelope: Partial<EventEnvelope>;
}

/** A running applications service on its own database and bus namespace, plus what tests need around it. */
export interface Harness {
  readonly ns: string;
  /** Calls as the api-gateway (the normal caller). */
  readonly gateway: ApplicationsClient;
  /** Calls as the backups service (the archive-operation RPCs). */
  readonly backups: ApplicationsClient;
  /** Calls as another service identity. */
  clientAs(service: string): ApplicationsClient;
  readonly hosts: FakeHosts;
  readonly secrets: FakeSecrets;
  readonly provisioner: FakeProvisioner;
  /** The database URL, for a second replica of the service in a test. */
  readonly databaseUrl: string;
  /** Starts another replica of the service on the same database and bus namespace. */
  startReplica(env?: Record<string, string>): Promise<ServiceHandle>;
  /** The service's schema, for assertions on what was (not) stored. */
  readonly db: Kysely<ApplicationsDatabase>;
  readonly js: JetStreamClient;
  /** Publishes a provisioner event the way the provisioner's outbox relay does, signed by it (no Nats-Msg-Id, so duplicates reach the consumer). */
  publish<T>(event: EventDefinition<T>, payload: T, eventId?: string): Promise<void>;
  /** Reads the APPLICATIONS stream for the deploy request of `appId`. */
  findDeployRequest(appId: string): Promise<DeployRequestOnBus | undefined>;
  close(): Promise<void>;
}

export function newUser(isAdmin = false): EndUser {
  return { id: randomUUID(), isAdmin };
}

/** Per-call options for an end user. */
export function as(user: EndUser, extra: Omit<CallOptions, "user"> = {}): CallOptions {
  return { ...extra, user };
}

/** Removes the namespace's streams so test runs do not pile up on a shared NATS server. */
async function deleteStreams(nc: NatsConnection, ns: string): Promise<void> {
  const jsm = await nc.jetstreamManager();
  for (const stream of ["APPLICATIONS", "PROVISIONER", "HOSTS", "DEAD_LETTERS"] as const) {
    await jsm.streams.delete(streamName(ns, stream)).catch(() => undefined);
  }
}

/** `env`: extra configuration of the service under test (e.g. APP_QUOTA_DEFAULT). */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const logger = testLogger("applications");
  const keys = await generateServiceKeys([
    "applications",
    "api-gateway",
    "backups",
    "hosts",
    "provisioner",
    "secrets",
    // Operator tooling (proximityctl).
    "sre",
  ]);
  const key = (name: string) => keys.get(name)!;
  const database = await createTestDatabase();
  const { natsUrl } = testServers();
  const ns = uniqueNamespace();
  const hosts = await startFakeHosts(key("hosts"), logger);
  const secrets = await startFakeSecrets(key("secrets"), logger);
  const provisioner = await startFakeProvisioner(key("provisioner"), logger);
  const configOf = (extra: Record<string, string>) =>
    loadApplicationsConfig({
      DATABASE_URL: database.url,
      NATS_URL: natsUrl,
      GRPC_PORT: "0",
      HOSTS_GRPC_ADDR: hosts.address,
      SECRETS_GRPC_ADDR: secrets.address,
      PROVISIONER_GRPC_ADDR: provisioner.address,
      BUS_NAMESPACE: ns,
      // Small streams: the shared test server reserves what each stream may hold.
      BUS_STREAM_MAX_BYTES: String(8 * 1024 * 1024),
      // A server without authentication and no setup step: the service declares its streams.
      BUS_DECLARE_STREAMS: "true",
      // Keys are passed in directly; the directory is only read by main.ts.
      SERVICE_KEYS_DIR: "/unused",
      // Every placement asks the (fake) hosts service, as tests count and inspect its calls; the
      // sharing of answers has tests of its own (deploy-app.test.ts).
      PLACEMENT_MAX_AGE_MS: "0",
      ...env,
      ...extra,
    });
  const config = configOf({});
  const replicas: ServiceHandle[] = [];
  const service: ServiceHandle = createApplicationsService(config, { logger, keys: key("applications") });
  const { grpcPort } = await service.start();
  const clients: ApplicationsClient[] = [];
  const clientAs = (service: string) => {
    const client = createServiceClient<applicationsV1.ApplicationsServiceServer>(
      applicationsV1.ApplicationsServiceService,
      { address: `127.0.0.1:${grpcPort}`, audience: "applications", keys: key(service) },
    );
    clients.push(client);
    return client;
  };
  const db = createDatabase<ApplicationsDatabase>({ url: database.url, schema: config.DB_SCHEMA });
  const nc: NatsConnection = await connect({ servers: natsUrl });
  const js = nc.jetstream();

  return {
    ns,
    gateway: clientAs("api-gateway"),
    backups: clientAs("backups"),
    clientAs,
    hosts,
    secrets,
    provisioner,
    databaseUrl: database.url,
    startReplica: async (extra = {}) => {
      const replica = createApplicationsService(configOf({ ...extra, GRPC_PORT: "0" }), {
        logger,
        keys: key("applications"),
      });
      await replica.start();
      replicas.push(replica);
      return replica;
    },
    db,
    js,
    publish: async (event, payload, eventId = randomUUID()) => {
      await publishSignedEvent(js, ns, eventSigner(key(producerOf(event))), event, payload, { id: eventId });
    },
    findDeployRequest: async (appId) => {
      const consumer = await js.consumers.get(streamName(ns, "APPLICATIONS"), {
        // A single string becomes `filter_subject`, which NATS 2.9 understands (a list needs 2.10).
        filterSubjects: subjectOf(ns, Events.AppDeployRequested.subject),
      });
      for (;;) {
        const msg = await consumer.next({ expires: 1_000 });
        if (!msg) return undefined;
        const payload = Events.AppDeployRequested.codec.decode(msg.data);
        if (payload.appId === appId) return { payload, envelope: readEnvelope(msg.headers) };
      }
    },
    close: async () => {
      for (const client of clients) client.close();
      for (const replica of replicas) await replica.stop();
      await service.stop();
      await hosts.stop();
      await secrets.stop();
      await provisioner.stop();
      await deleteStreams(nc, ns);
      await nc.drain();
      await db.destroy();
      await database.drop();
    },
  };
}
