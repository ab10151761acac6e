import { randomUUID } from "node:crypto";
import {
  asVariant,
  type EventDefinition,
  Events,
  eventSigner,
  producerOf,
  type StreamName,
  streamName,
  subjectFor,
} from "@proximity/bus";
import { publishSignedEvent } from "@proximity/bus/internal";
import { createDatabase } from "@proximity/db";
import {
  type CallOptions,
  createServiceClient,
  type EndUser,
  generateServiceKeys,
  type PromiseClient,
  ServiceIdentities,
  type ServiceKeys,
} from "@proximity/grpc";
import { applicationsEventsV1, type applicationsV1, backupsV1, provisionerEventsV1 } from "@proximity/proto";
import type { ServiceHandle } from "@proximity/service-kit";
import { createTestDatabase, eventually, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import type { Kysely } from "kysely";
import {
  type ConsumerInfo,
  connect,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from "nats";
import { loadBackupsConfig } from "../../src/config.js";
import type { BackupsDatabase } from "../../src/db/database.js";
import { APP_EVENTS_CONSUMER, ARCHIVE_RESULTS_CONSUMER } from "../../src/events/durables.js";
import { createBackupsService } from "../../src/service.js";
import { type FakeApplications, startFakeApplications } from "./fake-applications.js";

export type BackupsClient = PromiseClient<backupsV1.BackupsServiceServer>;

export function newUser(isAdmin = false): EndUser {
  return { id: randomUUID(), isAdmin };
}

/** Per-call options for an end user. */
export function as(user: EndUser): CallOptions {
  return { user };
}

/** A running backups service on its own database and bus namespace, with a fake applications peer. */
export interface Harness {
  readonly ns: string;
  readonly gateway: BackupsClient;
  clientAs(service: string): BackupsClient;
  readonly applications: FakeApplications;
  /** The service's schema, for assertions and for setting up states the API cannot reach. */
  readonly db: Kysely<BackupsDatabase>;
  readonly databaseUrl: string;
  /** The backups service's identity (to build its parts in a test, e.g. a second scheduler). */
  readonly keys: ServiceKeys;
  /** Another instance of the service on the same database and bus (a replica). */
  startReplica(env?: Record<string, string>): Promise<ServiceHandle>;
  /** Publishes an event as its owner's relay would (no Nats-Msg-Id, so duplicates reach consumers). */
  publish<T>(event: EventDefinition<T>, payload: T, eventId?: string): Promise<number>;
  /** Waits until `durable` has acknowledged the stream up to `seq`. */
  consumed(stream: StreamName, durable: string, seq: number): Promise<void>;
  /** Publishes a provisioner result and waits until the results consumer handled it (archive operations'). */
  result(
    event: typeof Events.OperationSucceeded | typeof Events.OperationFailed,
    payload: Partial<provisionerEventsV1.OperationSucceeded & provisionerEventsV1.OperationFailed>,
    eventId?: string,
  ): Promise<void>;
  /** Publishes an app event and waits until the app events consumer handled it. */
  appEvent<T>(event: EventDefinition<T>, payload: T, eventId?: string): Promise<void>;
  /** A durable consumer's state on the server, undefined when it does not exist. */
  durableInfo(stream: StreamName, durable: string): Promise<ConsumerInfo | undefined>;
  /** The bus as the test sees it (no authentication), e.g. to make a durable an older release left. */
  readonly bus: { readonly js: JetStreamClient; readonly jsm: JetStreamManager; readonly ns: string };
  /** Every message of one of the namespace's streams so far: subject and CloudEvents id/type. */
  streamMessages(stream: StreamName): Promise<{ subject: string; id: string; type: string }[]>;
  /** An app of `owner` known to the fake applications service and (AppDeployed) to the backups service. */
  deployedApp(owner: EndUser, patch?: Partial<applicationsV1.App>): Promise<applicationsV1.App>;
  close(): Promise<void>;
}

/** `env`: extra configuration of the service under test. */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const logger = testLogger("backups");
  const keys = await generateServiceKeys(ServiceIdentities);
  const key = (name: string) => keys.get(name)!;
  const database = await createTestDatabase();
  const { natsUrl } = testServers();
  const ns = uniqueNamespace();
  const applications = await startFakeApplications(key("applications"), logger);
  const configOf = (extra: Record<string, string>) =>
    loadBackupsConfig({
      DATABASE_URL: database.url,
      NATS_URL: natsUrl,
      BUS_NAMESPACE: ns,
      // Small streams: the shared test server reserves what each stream may hold.
      BUS_STREAM_MAX_BYTES: String(8 * 1024 * 1024),
      // A server without authentication and no setup step: the service declares its streams.
      BUS_DECLARE_STREAMS: "true",
      GRPC_PORT: "0",
      APPLICATIONS_GRPC_ADDR: applications.address,
      // Scheduler passes are driven by the tests that need them.
      BACKUP_SCHEDULER_INTERVAL_MS: "3600000",
      // Keys are passed in directly; the directory is only read by main.ts.
      SERVICE_KEYS_DIR: "/unused",
      ...env,
      ...extra,
    });
  const service = createBackupsService(configOf({}), { logger, keys: key("backups") });
  const { grpcPort } = await service.start();
  const replicas: ServiceHandle[] = [];
  const clients: BackupsClient[] = [];
  const clientAs = (name: string) => {
    const client = createServiceClient<backupsV1.BackupsServiceServer>(backupsV1.BackupsServiceService, {
      address: `127.0.0.1:${grpcPort}`,
      audience: "backups",
      keys: key(name),
    });
    clients.push(client);
    return client;
  };
  const db = createDatabase<BackupsDatabase>({ url: database.url, schema: "backups" });
  const nc: NatsConnection = await connect({ servers: natsUrl });
  const js = nc.jetstream();
  const jsm = await nc.jetstreamManager();

  const publish = async <T>(event: EventDefinition<T>, payload: T, eventId: string = randomUUID()) => {
    // Signed by the event's producer, as its relay does.
    const signer = eventSigner(key(producerOf(event)));
    const ack = await publishSignedEvent(js, ns, signer, event, payload, { id: eventId });
    return ack.seq;
  };
  const consumed = async (stream: StreamName, durable: string, seq: number) => {
    await eventually(
      async () => (await jsm.consumers.info(streamName(ns, stream), durable)).ack_floor.stream_seq >= seq,
      { what: `${durable} consumed up to ${seq}` },
    );
  };
  const appEvent = async <T>(event: EventDefinition<T>, payload: T, eventId?: string) =>
    consumed("APPLICATIONS", APP_EVENTS_CONSUMER, await publish(event, payload, eventId));

  return {
    ns,
    gateway: clientAs("api-gateway"),
    clientAs,
    applications,
    db,
    databaseUrl: database.url,
    keys: key("backups"),
    startReplica: async (extra = {}) => {
      const replica = createBackupsService(configOf(extra), { logger, keys: key("backups") });
      await replica.start();
      replicas.push(replica);
      return replica;
    },
    publish,
    consumed,
    result: async (event, payload, eventId) => {
      const message = event.codec.fromPartial(payload);
      // Other operations' results go on subjects the service does not consume: h.publish those.
      if (subjectFor<unknown>(event, message) !== asVariant<unknown>(event, "archive").subject)
        throw new Error("h.result: not an archive operation's result, which never reaches the service");
      await consumed("PROVISIONER", ARCHIVE_RESULTS_CONSUMER, await publish(event, message, eventId));
    },
    appEvent,
    durableInfo: (stream, durable) =>
      jsm.consumers
        .info(streamName(ns, stream), durable)
        .catch((err: { api_error?: { err_code?: number } }) => {
          if (err.api_error?.err_code === 10014) return undefined; // consumer not found
          throw err;
        }),
    bus: { js, jsm, ns },
    streamMessages: async (stream) => {
      const name = streamName(ns, stream);
      const { state } = await jsm.streams.info(name);
      const out: { subject: string; id: string; type: string }[] = [];
      for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
        const m = await jsm.streams.getMessage(name, { seq }).catch(() => undefined);
        if (m)
          out.push({
            subject: m.subject,
            id: m.header?.get("ce-id") ?? "",
            type: m.header?.get("ce-type") ?? "",
          });
      }
      return out;
    },
    deployedApp: async (owner, patch) => {
      const app = applications.addApp(owner.id, patch);
      await appEvent(
        Events.AppDeployed,
        applicationsEventsV1.AppDeployed.fromPartial({
          app: {
            appId: app.id,
            ownerId: app.ownerId,
            hostname: app.hostname,
            catalogId: app.catalogId,
            hostId: app.hostId,
            node: app.node,
          },
          operationId: randomUUID(),
        }),
      );
      return app;
    },
    close: async () => {
      for (const client of clients) client.close();
      for (const replica of replicas) await replica.stop();
      await service.stop();
      await applications.stop();
      for (const stream of ["APPLICATIONS", "PROVISIONER", "HOSTS", "BACKUPS", "DEAD_LETTERS"] as const) {
        await jsm.streams.delete(streamName(ns, stream)).catch(() => undefined);
      }
      await nc.drain();
      await db.destroy();
      await database.drop();
    },
  };
}

/** The archive a successful backup reports. */
export function archiveOf(backupId: string, vmid: number, storage = "local") {
  return provisionerEventsV1.BackupArchive.fromPartial({
    storage,
    volid: `${storage}:backup/vzdump-lxc-${vmid}-${backupId.slice(0, 8)}.tar.zst`,
    sizeBytes: 123_456,
    createdAt: new Date(),
  });
}

/** Creates a backup as `user` and completes it as the provisioner would; returns it. */
export async function completedBackup(
  h: Harness,
  app: applicationsV1.App,
  user: EndUser,
  archive?: Partial<provisionerEventsV1.BackupArchive>,
): Promise<backupsV1.Backup> {
  const { backup } = await h.gateway.createBackup(
    { appId: app.id, mode: "", compression: "", storage: "" },
    as(user),
  );
  const row = await h.db
    .selectFrom("backups")
    .select(["id", "operation_id"])
    .where("id", "=", backup!.id)
    .executeTakeFirstOrThrow();
  await h.result(Events.OperationSucceeded, {
    kind: provisionerEventsV1.OperationKind.OPERATION_KIND_BACKUP,
    operationId: row.operation_id,
    backupId: row.id,
    appId: app.id,
    archive: { ...archiveOf(row.id, app.vmid), ...archive },
    containerStatus: "running",
  });
  return (await h.gateway.getBackup({ appId: app.id, backupId: row.id }, as(user))).backup!;
}

/** The operation id the service chose for a backup. */
export async function operationOf(h: Harness, backupId: string): Promise<string> {
  const row = await h.db
    .selectFrom("backups")
    .select("operation_id")
    .where("id", "=", backupId)
    .executeTakeFirstOrThrow();
  return row.operation_id;
}

/** A whole UpdateBackupPolicy request: the default policy enabled, with `patch` over it. */
export function policyRequest(
  appId: string,
  patch: Partial<backupsV1.UpdateBackupPolicyRequest> = {},
): backupsV1.UpdateBackupPolicyRequest {
  return backupsV1.UpdateBackupPolicyRequest.fromPartial({
    appId,
    enabled: true,
    schedule: "0 3 * * *",
    timeZone: "UTC",
    mode: "snapshot",
    compression: "zstd",
    keepLast: 7,
    ...patch,
  });
}

export function listRequest(patch: Partial<backupsV1.ListBackupsRequest> = {}): backupsV1.ListBackupsRequest {
  return backupsV1.ListBackupsRequest.fromPartial(patch);
}

/** A CreateBackup request with the defaults ("" everywhere) and `patch` over them. */
export function createRequest(
  appId: string,
  patch: Partial<backupsV1.CreateBackupRequest> = {},
): backupsV1.CreateBackupRequest {
  return backupsV1.CreateBackupRequest.fromPartial({ appId, ...patch });
}
