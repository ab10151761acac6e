import { randomUUID } from "node:crypto";
import {
  type Bus,
  connectBus,
  type EventDefinition,
  Events,
  envelopeHeaders,
  newTraceparent,
  streamName,
  subjectOf,
} from "@proximity/bus";
import { createDatabase } from "@proximity/db";
import { NotFoundError, PermissionDeniedError } from "@proximity/errors";
import {
  createServiceClient,
  generateServiceKeys,
  type PromiseClient,
  ServiceIdentities,
} from "@proximity/grpc";
import { applicationsEventsV1, backupsV1, provisionerEventsV1 } from "@proximity/proto";
import type { ServiceHandle } from "@proximity/service-kit";
import { createTestDatabase, eventually, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackupsDatabase } from "../src/db/database.js";
import {
  APP_EVENTS_CONSUMER,
  createBackupsService,
  DEPLOYMENTS_CONSUMER,
  loadBackupsConfig,
} from "../src/index.js";

const USER = { user: { id: "user-1", isAdmin: false } };
const OTHER = { user: { id: "user-2", isAdmin: false } };
const ADMIN = { user: { id: "admin-1", isAdmin: true } };

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let service: ServiceHandle;
let bus: Bus;
let db: Kysely<BackupsDatabase>;
let gateway: PromiseClient<backupsV1.BackupsServiceServer>;
let applications: PromiseClient<backupsV1.BackupsServiceServer>;

beforeAll(async () => {
  database = await createTestDatabase();
  const keys = generateServiceKeys(ServiceIdentities);
  const ns = uniqueNamespace();
  const { natsUrl } = testServers();
  const config = loadBackupsConfig({
    DATABASE_URL: database.url,
    NATS_URL: natsUrl,
    BUS_NAMESPACE: ns,
    GRPC_PORT: "0",
    SERVICE_KEYS_DIR: "-",
  });
  service = createBackupsService(config, { logger: testLogger("backups"), keys: keys.get("backups")! });
  const { grpcPort } = await service.start();
  const client = (as: string) =>
    createServiceClient<backupsV1.BackupsServiceServer>(backupsV1.BackupsServiceService, {
      address: `127.0.0.1:${grpcPort}`,
      audience: "backups",
      keys: keys.get(as)!,
    });
  gateway = client("api-gateway");
  applications = client("applications");
  bus = await connectBus({ servers: natsUrl, name: "provisioner-test", ns, logger: testLogger() });
  db = createDatabase<BackupsDatabase>({ url: database.url, schema: "backups" });
});

afterAll(async () => {
  gateway?.close();
  applications?.close();
  await bus?.close();
  await db?.destroy();
  await service?.stop();
  await database?.drop();
});

/** Publishes as the provisioner would; without msgID so JetStream keeps a duplicate event id. */
async function publishSucceeded(eventId: string, payload: Partial<provisionerEventsV1.OperationSucceeded>) {
  const event = Events.OperationSucceeded;
  const message = event.codec.fromPartial({
    kind: provisionerEventsV1.OperationKind.OPERATION_KIND_DEPLOY,
    ...payload,
  });
  const headers = envelopeHeaders({
    id: eventId,
    type: event.type,
    source: "provisioner",
    time: new Date().toISOString(),
    traceparent: newTraceparent(),
  });
  return (
    await bus.js.publish(subjectOf(bus.ns, event.subject), event.codec.encode(message).finish(), { headers })
  ).seq;
}

/** Waits until the backups consumer has acknowledged everything up to stream sequence `seq`. */
async function consumedUpTo(seq: number) {
  await eventually(async () => {
    const info = await bus.jsm.consumers.info(streamName(bus.ns, "PROVISIONER"), DEPLOYMENTS_CONSUMER);
    return info.ack_floor.stream_seq >= seq;
  });
}

/** Publishes as the applications service's relay would; without msgID, as publishSucceeded. */
async function publishAppEvent<T>(event: EventDefinition<T>, payload: T, eventId = randomUUID()) {
  const headers = envelopeHeaders({
    id: eventId,
    type: event.type,
    source: "applications",
    time: new Date().toISOString(),
    traceparent: newTraceparent(),
  });
  return (
    await bus.js.publish(subjectOf(bus.ns, event.subject), event.codec.encode(payload).finish(), { headers })
  ).seq;
}

/** Waits until the app events consumer has acknowledged everything up to stream sequence `seq`. */
async function appEventsConsumedUpTo(seq: number) {
  await eventually(async () => {
    const info = await bus.jsm.consumers.info(streamName(bus.ns, "APPLICATIONS"), APP_EVENTS_CONSUMER);
    return info.ack_floor.stream_seq >= seq;
  });
}

const appRef = (appId: string, ownerId = USER.user.id) =>
  applicationsEventsV1.AppRef.fromPartial({ appId, ownerId, hostname: "blog", hostId: "h1" });

async function deployed(appId: string, ownerId = USER.user.id, eventId = randomUUID()) {
  await appEventsConsumedUpTo(
    await publishAppEvent(
      Events.AppDeployed,
      applicationsEventsV1.AppDeployed.fromPartial({ app: appRef(appId, ownerId), operationId: "op-d" }),
      eventId,
    ),
  );
}

const inboxRows = (eventId: string, consumer = DEPLOYMENTS_CONSUMER) =>
  db
    .selectFrom("inbox")
    .select("event_id")
    .where("consumer", "=", consumer)
    .where("event_id", "=", eventId)
    .execute();

describe("backups service", () => {
  it("OperationSucceeded - creates the default policy once, even when the event is delivered twice", async () => {
    const appId = randomUUID();
    const eventId = randomUUID();
    await consumedUpTo(await publishSucceeded(eventId, { operationId: "op-1", appId }));
    // No app event for this app: only an admin sees the policy.
    expect(await gateway.getBackupPolicy({ appId }, ADMIN)).toMatchObject({
      policy: { appId, enabled: false, schedule: "0 3 * * *", keepLast: 7 },
    });

    // The owner changes the policy; a redelivery of the same event must not reset it.
    await db
      .updateTable("backup_policies")
      .set({ enabled: true, keep_last: 3 })
      .where("app_id", "=", appId)
      .execute();
    await consumedUpTo(await publishSucceeded(eventId, { operationId: "op-1", appId }));
    expect(await inboxRows(eventId)).toHaveLength(1);
    const rows = await db.selectFrom("backup_policies").selectAll().where("app_id", "=", appId).execute();
    expect(rows.map((r) => [r.enabled, r.keep_last])).toEqual([[true, 3]]);
  });

  it("OperationSucceeded - another event for an app with a policy keeps that policy", async () => {
    const appId = randomUUID();
    await consumedUpTo(await publishSucceeded(randomUUID(), { appId }));
    await db
      .updateTable("backup_policies")
      .set({ schedule: "30 1 * * 0" })
      .where("app_id", "=", appId)
      .execute();
    const second = randomUUID();
    await consumedUpTo(await publishSucceeded(second, { appId }));
    expect(await inboxRows(second)).toHaveLength(1);
    expect((await gateway.getBackupPolicy({ appId }, ADMIN)).policy?.schedule).toBe("30 1 * * 0");
  });

  it("OperationSucceeded - other operation kinds create nothing", async () => {
    const appId = randomUUID();
    await consumedUpTo(
      await publishSucceeded(randomUUID(), {
        appId,
        kind: provisionerEventsV1.OperationKind.OPERATION_KIND_UNSPECIFIED,
      }),
    );
    await expect(gateway.getBackupPolicy({ appId }, ADMIN)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("GetBackupPolicy - gateway only, on behalf of a user; NotFound without a policy", async () => {
    await expect(gateway.getBackupPolicy({ appId: randomUUID() }, USER)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(gateway.getBackupPolicy({ appId: randomUUID() })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    await expect(applications.getBackupPolicy({ appId: randomUUID() }, USER)).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });
  it("OperationSucceeded - an app whose app events never arrived is NotFound for users, visible to admins", async () => {
    const appId = randomUUID();
    await consumedUpTo(await publishSucceeded(randomUUID(), { appId }));
    await expect(gateway.getBackupPolicy({ appId }, USER)).rejects.toBeInstanceOf(NotFoundError);
    await expect(gateway.getBackupPolicy({ appId }, OTHER)).rejects.toBeInstanceOf(NotFoundError);
    expect((await gateway.getBackupPolicy({ appId }, ADMIN)).policy?.appId).toBe(appId);
  });

  it("AppDeployed - records the owner and the default policy: the owner and admins see it, others get NotFound", async () => {
    const appId = randomUUID();
    await deployed(appId);
    expect(await gateway.getBackupPolicy({ appId }, USER)).toMatchObject({
      policy: { appId, enabled: false, schedule: "0 3 * * *", keepLast: 7 },
    });
    await expect(gateway.getBackupPolicy({ appId }, OTHER)).rejects.toBeInstanceOf(NotFoundError);
    expect((await gateway.getBackupPolicy({ appId }, ADMIN)).policy?.appId).toBe(appId);
    expect(
      await db
        .selectFrom("app_owners")
        .select(["owner_id", "deleted_at"])
        .where("app_id", "=", appId)
        .execute(),
    ).toEqual([{ owner_id: USER.user.id, deleted_at: null }]);
  });

  it("AppDeployed - a redelivered event is handled once and keeps the owner's changes", async () => {
    const appId = randomUUID();
    const eventId = randomUUID();
    await deployed(appId, USER.user.id, eventId);
    await db.updateTable("backup_policies").set({ enabled: true }).where("app_id", "=", appId).execute();
    // Same event id again, even with another owner in it: dropped by the inbox.
    await deployed(appId, OTHER.user.id, eventId);
    expect(await inboxRows(eventId, APP_EVENTS_CONSUMER)).toHaveLength(1);
    expect((await gateway.getBackupPolicy({ appId }, USER)).policy?.enabled).toBe(true);
    await expect(gateway.getBackupPolicy({ appId }, OTHER)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("AppCloned, AppAdopted - the new app's owner is recorded and it gets the default policy", async () => {
    const cloneId = randomUUID();
    const adoptedId = randomUUID();
    await publishAppEvent(
      Events.AppCloned,
      applicationsEventsV1.AppCloned.fromPartial({
        app: appRef(cloneId, OTHER.user.id),
        operationId: "op-c",
        sourceAppId: randomUUID(),
      }),
    );
    await appEventsConsumedUpTo(
      await publishAppEvent(
        Events.AppAdopted,
        applicationsEventsV1.AppAdopted.fromPartial({ app: appRef(adoptedId), operationId: "op-a" }),
      ),
    );
    expect((await gateway.getBackupPolicy({ appId: cloneId }, OTHER)).policy?.keepLast).toBe(7);
    await expect(gateway.getBackupPolicy({ appId: cloneId }, USER)).rejects.toBeInstanceOf(NotFoundError);
    expect((await gateway.getBackupPolicy({ appId: adoptedId }, USER)).policy?.keepLast).toBe(7);
    await expect(gateway.getBackupPolicy({ appId: adoptedId }, OTHER)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("AppDeleted - the owner no longer sees the policy, admins still do; once, and never undone by a late event", async () => {
    const appId = randomUUID();
    await deployed(appId);
    const deletedEvent = applicationsEventsV1.AppDeleted.fromPartial({
      app: appRef(appId),
      operationId: "op-x",
      containerDestroyed: true,
    });
    const eventId = randomUUID();
    await appEventsConsumedUpTo(await publishAppEvent(Events.AppDeleted, deletedEvent, eventId));
    await expect(gateway.getBackupPolicy({ appId }, USER)).rejects.toBeInstanceOf(NotFoundError);
    expect((await gateway.getBackupPolicy({ appId }, ADMIN)).policy?.appId).toBe(appId);
    const deletedAt = (
      await db
        .selectFrom("app_owners")
        .select("deleted_at")
        .where("app_id", "=", appId)
        .executeTakeFirstOrThrow()
    ).deleted_at;
    expect(deletedAt).toBeInstanceOf(Date);

    // Redelivered deletion: handled once. A late AppDeployed (another event id): the app stays deleted.
    await appEventsConsumedUpTo(await publishAppEvent(Events.AppDeleted, deletedEvent, eventId));
    expect(await inboxRows(eventId, APP_EVENTS_CONSUMER)).toHaveLength(1);
    await deployed(appId);
    await expect(gateway.getBackupPolicy({ appId }, USER)).rejects.toBeInstanceOf(NotFoundError);
    expect(
      await db
        .selectFrom("app_owners")
        .select("deleted_at")
        .where("app_id", "=", appId)
        .executeTakeFirstOrThrow(),
    ).toEqual({ deleted_at: deletedAt });
  });

  it("AppDeleted - for an app never seen: recorded deleted, no policy created", async () => {
    const appId = randomUUID();
    await appEventsConsumedUpTo(
      await publishAppEvent(
        Events.AppDeleted,
        applicationsEventsV1.AppDeleted.fromPartial({ app: appRef(appId), operationId: "op-y" }),
      ),
    );
    await deployed(appId);
    await expect(gateway.getBackupPolicy({ appId }, ADMIN)).rejects.toBeInstanceOf(NotFoundError);
  });
});
