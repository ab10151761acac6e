import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { NotFoundError, PermissionDeniedError } from "@proximity/errors";
import { applicationsEventsV1, provisionerEventsV1 } from "@proximity/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_EVENTS_CONSUMER } from "../src/index.js";
import {
  as,
  completedBackup,
  type Harness,
  listRequest,
  newUser,
  operationOf,
  policyRequest,
  startHarness,
} from "./support/harness.js";
import { eventNames, outboxEvents } from "./support/outbox.js";

let h: Harness;
const USER = newUser();
const OTHER = newUser();
const ADMIN = newUser(true);

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

const appRef = (appId: string, ownerId = USER.id) =>
  applicationsEventsV1.AppRef.fromPartial({ appId, ownerId, hostname: "blog", hostId: "host-a" });

async function deployed(appId: string, ownerId = USER.id, eventId = randomUUID()) {
  await h.appEvent(
    Events.AppDeployed,
    applicationsEventsV1.AppDeployed.fromPartial({ app: appRef(appId, ownerId), operationId: randomUUID() }),
    eventId,
  );
}

async function appDeleted(appId: string, deleteBackups: boolean, ownerId = USER.id, eventId = randomUUID()) {
  await h.appEvent(
    Events.AppDeleted,
    applicationsEventsV1.AppDeleted.fromPartial({
      app: appRef(appId, ownerId),
      operationId: randomUUID(),
      containerDestroyed: true,
      deleteBackups,
    }),
    eventId,
  );
}

const inboxRows = (eventId: string) =>
  h.db
    .selectFrom("inbox")
    .select("event_id")
    .where("consumer", "=", APP_EVENTS_CONSUMER)
    .where("event_id", "=", eventId)
    .execute();

const statusesOf = async (appId: string) =>
  (await h.db.selectFrom("backups").select(["id", "status"]).where("app_id", "=", appId).execute()).reduce(
    (acc, r) => acc.set(r.id, r.status),
    new Map<string, string>(),
  );

describe("app events", () => {
  it("AppDeployed - records the owner and the default policy: the owner and admins see it, others get NotFound", async () => {
    const appId = randomUUID();
    await deployed(appId);
    expect(await h.gateway.getBackupPolicy({ appId }, as(USER))).toMatchObject({
      policy: {
        appId,
        enabled: false,
        schedule: "0 3 * * *",
        timeZone: "UTC",
        mode: "snapshot",
        compression: "zstd",
        keepLast: 7,
        keepDaily: 0,
      },
    });
    expect((await h.gateway.getBackupPolicy({ appId }, as(USER))).policy?.nextRunAt).toBeUndefined();
    await expect(h.gateway.getBackupPolicy({ appId }, as(OTHER))).rejects.toBeInstanceOf(NotFoundError);
    expect((await h.gateway.getBackupPolicy({ appId }, as(ADMIN))).policy?.appId).toBe(appId);
  });

  it("AppDeployed - a redelivered event is handled once and keeps the owner's changes", async () => {
    const appId = randomUUID();
    const eventId = randomUUID();
    await deployed(appId, USER.id, eventId);
    await h.db.updateTable("backup_policies").set({ keep_last: 2 }).where("app_id", "=", appId).execute();
    // Same event id again, even with another owner in it: dropped by the inbox.
    await deployed(appId, OTHER.id, eventId);
    expect(await inboxRows(eventId)).toHaveLength(1);
    expect((await h.gateway.getBackupPolicy({ appId }, as(USER))).policy?.keepLast).toBe(2);
    await expect(h.gateway.getBackupPolicy({ appId }, as(OTHER))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("AppDeployed - a late redelivery undoes no later event; a new event keeps the owner's policy", async () => {
    const appId = randomUUID();
    const eventId = randomUUID();
    await deployed(appId, USER.id, eventId);
    // A later event (another id) gives the app to OTHER under another name.
    await h.appEvent(
      Events.AppAdopted,
      applicationsEventsV1.AppAdopted.fromPartial({
        app: { ...appRef(appId, OTHER.id), hostname: "shop" },
        operationId: randomUUID(),
      }),
    );
    await h.db.updateTable("backup_policies").set({ keep_last: 2 }).where("app_id", "=", appId).execute();
    await deployed(appId, USER.id, eventId);
    expect(
      await h.db
        .selectFrom("app_owners")
        .select(["owner_id", "hostname"])
        .where("app_id", "=", appId)
        .executeTakeFirst(),
    ).toEqual({ owner_id: OTHER.id, hostname: "shop" });
    await expect(h.gateway.getBackupPolicy({ appId }, as(USER))).rejects.toBeInstanceOf(NotFoundError);
    // A new event of the app: its policy is the owner's, not the default again.
    await deployed(appId, OTHER.id);
    expect((await h.gateway.getBackupPolicy({ appId }, as(OTHER))).policy?.keepLast).toBe(2);
  });

  it("AppCloned, AppAdopted - the new app's owner is recorded and it gets the default policy", async () => {
    const cloneId = randomUUID();
    const adoptedId = randomUUID();
    await h.appEvent(
      Events.AppCloned,
      applicationsEventsV1.AppCloned.fromPartial({
        app: appRef(cloneId, OTHER.id),
        operationId: randomUUID(),
        sourceAppId: randomUUID(),
      }),
    );
    await h.appEvent(
      Events.AppAdopted,
      applicationsEventsV1.AppAdopted.fromPartial({ app: appRef(adoptedId), operationId: randomUUID() }),
    );
    expect((await h.gateway.getBackupPolicy({ appId: cloneId }, as(OTHER))).policy?.keepLast).toBe(7);
    await expect(h.gateway.getBackupPolicy({ appId: cloneId }, as(USER))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await h.gateway.getBackupPolicy({ appId: adoptedId }, as(USER))).policy?.keepLast).toBe(7);
  });

  it("AppRestored - a new app gets its owner and the default policy; a restore onto an app changes nothing", async () => {
    const newAppId = randomUUID();
    await h.appEvent(
      Events.AppRestored,
      applicationsEventsV1.AppRestored.fromPartial({
        app: appRef(newAppId, OTHER.id),
        operationId: randomUUID(),
        backupId: randomUUID(),
        newApp: true,
        sourceAppId: randomUUID(),
      }),
    );
    expect((await h.gateway.getBackupPolicy({ appId: newAppId }, as(OTHER))).policy?.appId).toBe(newAppId);
    await expect(h.gateway.getBackupPolicy({ appId: newAppId }, as(USER))).rejects.toBeInstanceOf(
      NotFoundError,
    );

    const sameAppId = randomUUID();
    await h.appEvent(
      Events.AppRestored,
      applicationsEventsV1.AppRestored.fromPartial({
        app: appRef(sameAppId),
        operationId: randomUUID(),
        backupId: randomUUID(),
        newApp: false,
        sourceAppId: sameAppId,
      }),
    );
    expect(
      await h.db.selectFrom("app_owners").select("app_id").where("app_id", "=", sameAppId).execute(),
    ).toEqual([]);
  });

  it("GetBackupPolicy - gateway only, on behalf of a user", async () => {
    await expect(h.gateway.getBackupPolicy({ appId: randomUUID() })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    await expect(
      h.clientAs("applications").getBackupPolicy({ appId: randomUUID() }, as(USER)),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it("AppDeleted without delete_backups - owner loses access, admins keep it; backups stay; schedule off; once, never undone", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    const { backup: failed } = await h.gateway.createBackup(
      { appId: app.id, mode: "", compression: "", storage: "" },
      as(USER),
    );
    await h.result(Events.OperationFailed, {
      kind: provisionerEventsV1.OperationKind.OPERATION_KIND_BACKUP,
      operationId: await operationOf(h, failed!.id),
      backupId: failed!.id,
      appId: app.id,
      reason: "the backup storage is full",
    });
    await h.gateway.updateBackupPolicy(policyRequest(app.id, { enabled: true, keepLast: 3 }), as(USER));
    // A scheduled slot the dispatcher has not started yet: it must not run for a deleted app.
    const pendingId = randomUUID();
    await h.db
      .insertInto("backups")
      .values({
        id: pendingId,
        operation_id: randomUUID(),
        app_id: app.id,
        owner_id: USER.id,
        mode: "snapshot",
        compression: "zstd",
        status: "pending",
        trigger: "scheduled",
        scheduled_for: new Date(),
      })
      .execute();

    const eventId = randomUUID();
    await appDeleted(app.id, false, USER.id, eventId);
    await expect(h.gateway.getBackupPolicy({ appId: app.id }, as(USER))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      h.gateway.getBackup({ appId: app.id, backupId: backup.id }, as(USER)),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await h.gateway.listBackups(listRequest({ appId: app.id }), as(USER))).total).toBe(0);
    const policy = (await h.gateway.getBackupPolicy({ appId: app.id }, as(ADMIN))).policy!;
    expect(policy).toMatchObject({ enabled: false });
    expect(policy.nextRunAt).toBeUndefined();
    const seen = await h.gateway.getBackup({ appId: app.id, backupId: backup.id }, as(ADMIN));
    expect(seen.backup).toMatchObject({ status: "completed", appDeleted: true, restorable: true });
    expect(await statusesOf(app.id)).toEqual(
      new Map([
        [backup.id, "completed"],
        [failed!.id, "failed"],
        [pendingId, "failed"],
      ]),
    );
    const skipped = (await outboxEvents(h.db, app.id)).filter(
      (e) => e.name === "BackupFailed" && e.payload.backup.backupId === pendingId,
    );
    expect(skipped.map((e) => e.payload.reason)).toEqual(["Skipped: the app was deleted"]);

    // Redelivered: handled once. A late AppDeployed (another event id): the app stays deleted.
    await appDeleted(app.id, true, USER.id, eventId);
    expect(await inboxRows(eventId)).toHaveLength(1);
    expect((await statusesOf(app.id)).get(backup.id)).toBe("completed");
    await deployed(app.id);
    await expect(h.gateway.getBackupPolicy({ appId: app.id }, as(USER))).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("AppDeleted with delete_backups - archives are asked to go, records without one are removed, one being restored from stays", async () => {
    const app = await h.deployedApp(USER);
    const first = await completedBackup(h, app, USER);
    const second = await completedBackup(h, app, USER);
    const { backup: failed } = await h.gateway.createBackup(
      { appId: app.id, mode: "", compression: "", storage: "" },
      as(USER),
    );
    await h.result(Events.OperationFailed, {
      kind: provisionerEventsV1.OperationKind.OPERATION_KIND_BACKUP,
      operationId: await operationOf(h, failed!.id),
      backupId: failed!.id,
      appId: app.id,
      reason: "vzdump ended without an archive",
    });
    // A restore reads the second archive: it must stay.
    const restore = await h.gateway.restoreBackup(
      { appId: app.id, backupId: second.id, newHostname: "copy-of-app" },
      as(USER),
    );
    expect(restore.newApp).toBe(true);

    await appDeleted(app.id, true);
    expect(await statusesOf(app.id)).toEqual(
      new Map([
        [first.id, "deleting"],
        [second.id, "completed"],
      ]),
    );
    const events = await outboxEvents(h.db, app.id);
    const deleteRequests = events.filter((e) => e.name === "BackupDeleteRequested");
    expect(deleteRequests.map((e) => e.payload.backupId)).toEqual([first.id]);
    expect(deleteRequests[0]!.payload).toMatchObject({
      volid: first.volid,
      storage: "local",
      hostId: "host-a",
    });
    expect(events.filter((e) => e.name === "BackupDeleted").map((e) => e.payload.backup.backupId)).toEqual([
      failed!.id,
    ]);

    // The provisioner removed the archive: the record goes, with BackupDeleted.
    const row = await h.db
      .selectFrom("backups")
      .select("delete_operation_id")
      .where("id", "=", first.id)
      .executeTakeFirstOrThrow();
    await h.result(Events.OperationSucceeded, {
      kind: provisionerEventsV1.OperationKind.OPERATION_KIND_DELETE_BACKUP,
      operationId: row.delete_operation_id!,
      backupId: first.id,
    });
    expect([...(await statusesOf(app.id)).keys()]).toEqual([second.id]);
    expect((await eventNames(h.db, app.id)).filter((n) => n === "BackupDeleted")).toHaveLength(2);
  });

  it("AppDeleted - for an app never seen: recorded deleted, no policy created later", async () => {
    const appId = randomUUID();
    await appDeleted(appId, false);
    await deployed(appId);
    await expect(h.gateway.getBackupPolicy({ appId }, as(ADMIN))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("AppOperationFailed of a backup - a backup still running fails with the reason (the deadline gave up)", async () => {
    const app = await h.deployedApp(USER);
    const { backup } = await h.gateway.createBackup(
      { appId: app.id, mode: "", compression: "", storage: "" },
      as(USER),
    );
    const operationId = await operationOf(h, backup!.id);
    const reason = "The backup did not finish within 360 minutes";
    await h.appEvent(
      Events.AppOperationFailed,
      applicationsEventsV1.AppOperationFailed.fromPartial({
        app: appRef(app.id),
        operationId,
        operation: "backup",
        reason,
        status: "running",
      }),
    );
    expect(
      (await h.gateway.getBackup({ appId: app.id, backupId: backup!.id }, as(USER))).backup,
    ).toMatchObject({
      status: "failed",
      error: reason,
    });
    // The app is free for the next backup.
    await expect(
      h.gateway.createBackup({ appId: app.id, mode: "", compression: "", storage: "" }, as(USER)),
    ).resolves.toBeDefined();
  });
});
