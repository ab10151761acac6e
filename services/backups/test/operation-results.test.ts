import { randomUUID } from "node:crypto";
import { consumerFilterSubject, Events, RetiredDurables, streamName } from "@proximity/bus";
import { provisionerEventsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";
import { AckPolicy } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARCHIVE_RESULTS_CONSUMER, OPERATION_RESULTS_INBOX, RETIRED_RESULTS_CONSUMER } from "../src/index.js";
import {
  archiveOf,
  as,
  completedBackup,
  createRequest,
  type Harness,
  newUser,
  operationOf,
  startHarness,
} from "./support/harness.js";
import { outboxEvents } from "./support/outbox.js";

let h: Harness;
const USER = newUser();
const Kind = provisionerEventsV1.OperationKind;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

async function runningBackup() {
  const app = await h.deployedApp(USER);
  const { backup } = await h.gateway.createBackup(createRequest(app.id), as(USER));
  return { app, backupId: backup!.id, operationId: await operationOf(h, backup!.id) };
}

const rowOf = (backupId: string) =>
  h.db.selectFrom("backups").selectAll().where("id", "=", backupId).executeTakeFirstOrThrow();

describe("provisioner results", () => {
  it("BACKUP succeeded - completed with the archive; BackupCompleted; a redelivery changes nothing", async () => {
    const { app, backupId, operationId } = await runningBackup();
    const archive = archiveOf(backupId, app.vmid, "nfs");
    const eventId = randomUUID();
    const result = {
      kind: Kind.OPERATION_KIND_BACKUP,
      operationId,
      backupId,
      appId: app.id,
      archive,
      containerStatus: "running",
    };
    await h.result(Events.OperationSucceeded, result, eventId);
    const row = await rowOf(backupId);
    expect(row).toMatchObject({
      status: "completed",
      storage: "nfs",
      volid: archive.volid,
      size_bytes: archive.sizeBytes,
      archive_created_at: archive.createdAt,
      error: "",
    });
    expect(row.completed_at).toBeInstanceOf(Date);
    const backup = (await h.gateway.getBackup({ appId: app.id, backupId }, as(USER))).backup;
    expect(backup).toMatchObject({ status: "completed", restorable: true, volid: archive.volid });

    await h.result(Events.OperationSucceeded, result, eventId);
    const inbox = await h.db
      .selectFrom("inbox")
      .select("event_id")
      .where("consumer", "=", OPERATION_RESULTS_INBOX)
      .where("event_id", "=", eventId)
      .execute();
    expect(inbox).toHaveLength(1);
    // A second result with another event id (e.g. a republish): the backup is settled, ignored.
    await h.result(Events.OperationSucceeded, { ...result, archive: archiveOf(randomUUID(), app.vmid) });
    expect((await rowOf(backupId)).volid).toBe(archive.volid);
    const completed = (await outboxEvents(h.db, app.id)).filter((e) => e.name === "BackupCompleted");
    expect(completed).toHaveLength(1);
    expect(completed[0]!.payload).toMatchObject({
      operationId,
      backup: { backupId, volid: archive.volid, sizeBytes: archive.sizeBytes, storage: "nfs" },
    });
  });

  it("BACKUP failed - failed with the provisioner's reason; BackupFailed; the app can be backed up again", async () => {
    const { app, backupId, operationId } = await runningBackup();
    await h.result(Events.OperationFailed, {
      kind: Kind.OPERATION_KIND_BACKUP,
      operationId,
      backupId,
      appId: app.id,
      reason: "the backup storage is full",
    });
    expect((await h.gateway.getBackup({ appId: app.id, backupId }, as(USER))).backup).toMatchObject({
      status: "failed",
      error: "the backup storage is full",
      restorable: false,
    });
    const failed = (await outboxEvents(h.db, app.id)).filter((e) => e.name === "BackupFailed");
    expect(failed.map((e) => e.payload.reason)).toEqual(["the backup storage is full"]);
    await expect(h.gateway.createBackup(createRequest(app.id), as(USER))).resolves.toBeDefined();
  });

  it("BACKUP succeeded without an archive (or an empty one) - failed: vzdump ended without an archive", async () => {
    for (const archive of [undefined, { ...archiveOf(randomUUID(), 1), sizeBytes: 0 }]) {
      const { app, backupId, operationId } = await runningBackup();
      await h.result(Events.OperationSucceeded, {
        kind: Kind.OPERATION_KIND_BACKUP,
        operationId,
        backupId,
        appId: app.id,
        ...(archive ? { archive } : {}),
      });
      expect(await rowOf(backupId)).toMatchObject({
        status: "failed",
        error: "vzdump ended without an archive",
        volid: null,
      });
    }
  });

  it("exactly one record per archive - a second backup reporting an archive already recorded fails", async () => {
    const app = await h.deployedApp(USER);
    const first = await completedBackup(h, app, USER);
    const { backup } = await h.gateway.createBackup(createRequest(app.id), as(USER));
    await h.result(Events.OperationSucceeded, {
      kind: Kind.OPERATION_KIND_BACKUP,
      operationId: await operationOf(h, backup!.id),
      backupId: backup!.id,
      appId: app.id,
      archive: { storage: "local", volid: first.volid, sizeBytes: 5, createdAt: new Date() },
    });
    expect(await rowOf(backup!.id)).toMatchObject({
      status: "failed",
      volid: null,
      error: "The archive is already recorded for another backup",
    });
    // And the database refuses it whatever the code does.
    await expect(
      h.db
        .updateTable("backups")
        .set({ status: "completed", volid: first.volid, completed_at: new Date() })
        .where("id", "=", backup!.id)
        .execute(),
    ).rejects.toThrow(/backups_archive_unique/);
  });

  it("a result for another operation id or an unknown backup - ignored", async () => {
    const { app, backupId } = await runningBackup();
    await h.result(Events.OperationSucceeded, {
      kind: Kind.OPERATION_KIND_BACKUP,
      operationId: randomUUID(),
      backupId,
      archive: archiveOf(backupId, app.vmid),
    });
    await h.result(Events.OperationFailed, {
      kind: Kind.OPERATION_KIND_BACKUP,
      operationId: randomUUID(),
      backupId: randomUUID(),
      reason: "x",
    });
    expect((await rowOf(backupId)).status).toBe("running");
  });

  it("a success after the record was failed by the deadline - the archive exists, so it is recorded", async () => {
    const { app, backupId, operationId } = await runningBackup();
    await h.db
      .updateTable("backups")
      .set({ status: "failed", error: "timed out" })
      .where("id", "=", backupId)
      .execute();
    await h.result(Events.OperationSucceeded, {
      kind: Kind.OPERATION_KIND_BACKUP,
      operationId,
      backupId,
      archive: archiveOf(backupId, app.vmid),
    });
    expect(await rowOf(backupId)).toMatchObject({ status: "completed", error: "" });
  });

  it("only archive operations' results reach the service: another kind's result and progress events are never delivered to it", async () => {
    const before = (await h.durableInfo("PROVISIONER", ARCHIVE_RESULTS_CONSUMER))!.delivered.consumer_seq;
    const deploy = { operationId: randomUUID(), appId: randomUUID(), kind: Kind.OPERATION_KIND_DEPLOY };
    await h.publish(
      Events.OperationProgressed,
      Events.OperationProgressed.codec.fromPartial({ ...deploy, step: "x" }),
    );
    await h.publish(
      Events.OperationsProgressed,
      Events.OperationsProgressed.codec.fromPartial({ operations: [{ ...deploy, step: "x" }] }),
    );
    await h.publish(Events.OperationSucceeded, Events.OperationSucceeded.codec.fromPartial(deploy));
    await h.publish(
      Events.OperationFailed,
      Events.OperationFailed.codec.fromPartial({ ...deploy, reason: "x" }),
    );
    // An archive result after them: once it is handled, anything published before it was too.
    const { app, backupId, operationId } = await runningBackup();
    await h.result(Events.OperationSucceeded, {
      kind: Kind.OPERATION_KIND_BACKUP,
      operationId,
      backupId,
      archive: archiveOf(backupId, app.vmid),
    });
    expect((await h.durableInfo("PROVISIONER", ARCHIVE_RESULTS_CONSUMER))!.delivered.consumer_seq).toBe(
      before + 1,
    );
    expect((await rowOf(backupId)).status).toBe("completed");
  });

  it("the results' durable of earlier releases - what an older provisioner left in it is applied by the next start, then it is deleted", async () => {
    const { app, backupId, operationId } = await runningBackup();
    const retired = RetiredDurables.backupsOperationResults;
    // As an earlier release left it, then an archive result on the subject an older provisioner used.
    await h.bus.jsm.consumers.add(streamName(h.bus.ns, retired.stream), {
      durable_name: retired.name,
      ack_policy: AckPolicy.Explicit,
      filter_subject: consumerFilterSubject(h.bus.ns, retired),
    });
    const { variants: _variants, variantOf: _variantOf, ...older } = Events.OperationSucceeded;
    await h.publish(
      older,
      Events.OperationSucceeded.codec.fromPartial({
        kind: Kind.OPERATION_KIND_BACKUP,
        operationId,
        backupId,
        archive: archiveOf(backupId, app.vmid),
      }),
    );
    // Another kind's result on the subject it shares with them names a backup: ignored.
    const other = await runningBackup();
    await h.publish(
      older,
      Events.OperationSucceeded.codec.fromPartial({
        kind: Kind.OPERATION_KIND_START,
        operationId: other.operationId,
        backupId: other.backupId,
        archive: archiveOf(other.backupId, other.app.vmid),
      }),
    );
    expect((await rowOf(backupId)).status).toBe("running");

    await h.startReplica({ RETIRED_DURABLE_QUIET_MS: "1" });
    await eventually(async () => (await rowOf(backupId)).status === "completed", {
      what: "the result left in the retired durable applied",
    });
    // Kept while no upgraded provisioner was heard from (it may not be upgraded yet)…
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await h.durableInfo("PROVISIONER", RETIRED_RESULTS_CONSUMER)).toBeDefined();
    // …then a result on its archive subject: applied once though both durables deliver it.
    const current = await runningBackup();
    await h.result(Events.OperationSucceeded, {
      kind: Kind.OPERATION_KIND_BACKUP,
      operationId: current.operationId,
      backupId: current.backupId,
      archive: archiveOf(current.backupId, current.app.vmid),
    });
    await eventually(
      async () => (await h.durableInfo("PROVISIONER", RETIRED_RESULTS_CONSUMER)) === undefined,
      {
        what: "the retired durable deleted",
      },
    );
    expect((await rowOf(other.backupId)).status).toBe("running");
    expect((await rowOf(current.backupId)).status).toBe("completed");
    const completed = (await outboxEvents(h.db, current.app.id)).filter((e) => e.name === "BackupCompleted");
    expect(completed).toHaveLength(1);
  });
});
