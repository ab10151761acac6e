import { randomUUID } from "node:crypto";
import {
  type Bus,
  connectBus,
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
import { backupsV1, provisionerEventsV1 } from "@proximity/proto";
import type { ServiceHandle } from "@proximity/service-kit";
import { createTestDatabase, eventually, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackupsDatabase } from "../src/db/database.js";
import { createBackupsService, DEPLOYMENTS_CONSUMER, loadBackupsConfig } from "../src/index.js";

const USER = { user: { id: "user-1", isAdmin: false } };

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

const inboxRows = (eventId: string) =>
  db
    .selectFrom("inbox")
    .select("event_id")
    .where("consumer", "=", DEPLOYMENTS_CONSUMER)
    .where("event_id", "=", eventId)
    .execute();

describe("backups service", () => {
  it("OperationSucceeded - creates the default policy once, even when the event is delivered twice", async () => {
    const appId = randomUUID();
    const eventId = randomUUID();
    await consumedUpTo(await publishSucceeded(eventId, { operationId: "op-1", appId }));
    expect(await gateway.getBackupPolicy({ appId }, USER)).toMatchObject({
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
    expect((await gateway.getBackupPolicy({ appId }, USER)).policy?.schedule).toBe("30 1 * * 0");
  });

  it("OperationSucceeded - other operation kinds create nothing", async () => {
    const appId = randomUUID();
    await consumedUpTo(
      await publishSucceeded(randomUUID(), {
        appId,
        kind: provisionerEventsV1.OperationKind.OPERATION_KIND_UNSPECIFIED,
      }),
    );
    await expect(gateway.getBackupPolicy({ appId }, USER)).rejects.toBeInstanceOf(NotFoundError);
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
});
