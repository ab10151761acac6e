import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import {
  ConflictError,
  DeadlineExceededError,
  InternalError,
  NotFoundError,
  PermissionDeniedError,
  type ProximityError,
  UnavailableError,
  ValidationError,
} from "@proximity/errors";
import { provisionerEventsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  as,
  completedBackup,
  createRequest,
  type Harness,
  listRequest,
  newUser,
  operationOf,
  startHarness,
} from "./support/harness.js";
import { outboxEvents } from "./support/outbox.js";

let h: Harness;
const USER = newUser();
const OTHER = newUser();
const ADMIN = newUser(true);
const Kind = provisionerEventsV1.OperationKind;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

async function refusal(promise: Promise<unknown>): Promise<ProximityError> {
  try {
    await promise;
  } catch (err) {
    return err as ProximityError;
  }
  throw new Error("the call was accepted");
}

const rowsOf = (appId: string) =>
  h.db.selectFrom("backups").selectAll().where("app_id", "=", appId).execute();

describe("CreateBackup", () => {
  it("starts a running backup on the app's container, with the provisioner's request and BackupStarted", async () => {
    const app = await h.deployedApp(USER);
    const { backup } = await h.gateway.createBackup(
      createRequest(app.id, { mode: "stop", compression: "gzip" }),
      as(USER),
    );
    expect(backup).toMatchObject({
      appId: app.id,
      ownerId: USER.id,
      hostId: "host-a",
      node: "pve1",
      vmid: app.vmid,
      storage: "",
      mode: "stop",
      compression: "gzip",
      status: "running",
      trigger: "manual",
      restoring: false,
      restorable: false,
      appDeleted: false,
    });
    const claim = h.applications.calls.find(
      (c) => c.method === "begin" && c.request.backupId === backup!.id,
    )!;
    expect(claim).toMatchObject({
      caller: "backups",
      user: USER,
      request: { appId: app.id, kind: "backup" },
    });
    const events = await outboxEvents(h.db, app.id);
    expect(events.map((e) => e.name)).toEqual(["BackupRequested", "BackupStarted"]);
    expect(events[0]!.payload).toEqual({
      operationId: claim.request.operationId,
      backupId: backup!.id,
      appId: app.id,
      hostId: "host-a",
      node: "pve1",
      vmid: app.vmid,
      mode: "stop",
      compression: "gzip",
      storage: "",
      // The claim's deadline: a request the provisioner gets later must not start any more.
      notAfter: h.applications.claims.get(claim.request.operationId)?.deadline,
    });
    expect(events[0]!.payload.notAfter).toBeInstanceOf(Date);
    expect(events[1]!.payload.backup).toMatchObject({
      backupId: backup!.id,
      ownerId: USER.id,
      trigger: "manual",
    });
    // The relay publishes them on the BACKUPS stream: the request for the provisioner, the fact for all.
    const ids = (await h.db.selectFrom("outbox").select(["id", "headers"]).execute())
      .filter((r) => r.headers["ce-subject"] === app.id)
      .map((r) => r.id);
    const onBus = await eventually(
      async () => {
        const found = (await h.streamMessages("BACKUPS")).filter((m) => ids.includes(m.id));
        return found.length === 2 ? found : undefined;
      },
      { what: "the backup events on the bus" },
    );
    expect(onBus.map((m) => m.subject)).toEqual([
      `${h.ns}.backups.v1.archive.backup_requested`,
      `${h.ns}.backups.v1.backup_started`,
    ]);
  });

  it("the storage is the admins' choice - a user naming one is 403 before any claim; an admin's is used", async () => {
    const app = await h.deployedApp(USER);
    const calls = h.applications.calls.length;
    const err = await refusal(
      h.gateway.createBackup(createRequest(app.id, { storage: "nfs-backups" }), as(USER)),
    );
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(err.message).toBe("Only administrators may choose the backup storage");
    expect(h.applications.calls.length).toBe(calls);
    expect(await rowsOf(app.id)).toEqual([]);

    const { backup } = await h.gateway.createBackup(
      createRequest(app.id, { storage: "nfs-backups" }),
      as(ADMIN),
    );
    expect(backup).toMatchObject({ storage: "nfs-backups", ownerId: USER.id, status: "running" });
    const requested = (await outboxEvents(h.db, app.id)).find((e) => e.name === "BackupRequested");
    expect(requested?.payload.storage).toBe("nfs-backups");
  });

  it("defaults: snapshot, zstd, the host's backup storage", async () => {
    const app = await h.deployedApp(USER);
    const { backup } = await h.gateway.createBackup(createRequest(app.id), as(USER));
    expect(backup).toMatchObject({ mode: "snapshot", compression: "zstd", storage: "" });
  });

  it("bad values - 400 naming every bad field, nothing claimed or recorded", async () => {
    const app = await h.deployedApp(USER);
    const calls = h.applications.calls.length;
    const err = await refusal(
      h.gateway.createBackup(
        createRequest(app.id, { mode: "fast", compression: "xz", storage: "Local Disk" }),
        as(USER),
      ),
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors.map((f) => f.field)).toEqual(["mode", "compression", "storage"]);
    const long = await refusal(
      h.gateway.createBackup(createRequest(app.id, { storage: `s${"x".repeat(64)}` }), as(USER)),
    );
    expect(long.fieldErrors.map((f) => f.field)).toEqual(["storage"]);
    expect(h.applications.calls.length).toBe(calls);
    expect(await rowsOf(app.id)).toEqual([]);
  });

  it("two concurrent requests, even with a claim that lets both through - one backup, one 409, the loser's claim given back", async () => {
    const app = await h.deployedApp(USER);
    h.applications.delayMs = 150;
    try {
      const results = await Promise.allSettled([
        h.gateway.createBackup(createRequest(app.id), as(USER)),
        h.gateway.createBackup(createRequest(app.id), as(USER)),
      ]);
      const ok = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r) => r.status === "rejected");
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(1);
      const err = (refused[0] as PromiseRejectedResult).reason as ProximityError;
      expect(err).toBeInstanceOf(ConflictError);
      expect(err.message).toBe("Another backup of this app is running");
      const rows = await rowsOf(app.id);
      expect(rows).toHaveLength(1);
      const claims = h.applications.calls.filter((c) => c.method === "begin" && c.request.appId === app.id);
      expect(claims).toHaveLength(2);
      const loser = claims.find((c) => c.request.operationId !== rows[0]!.operation_id)!;
      const abandoned = h.applications.calls.filter((c) => c.method === "abandon");
      expect(abandoned.map((c) => c.request.operationId)).toContain(loser.request.operationId);
      expect(abandoned.map((c) => c.request.operationId)).not.toContain(rows[0]!.operation_id);
      // Only the winner's events.
      expect((await outboxEvents(h.db, app.id)).map((e) => e.name)).toEqual([
        "BackupRequested",
        "BackupStarted",
      ]);
    } finally {
      h.applications.delayMs = 0;
    }
  });

  it("a busy app - the applications service's 409 with its words; nothing recorded, nothing to give back", async () => {
    const app = await h.deployedApp(USER);
    h.applications.refusals.set(app.id, new ConflictError("Another operation is running: restart"));
    const err = await refusal(h.gateway.createBackup(createRequest(app.id), as(USER)));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toBe("Another operation is running: restart");
    expect(await rowsOf(app.id)).toEqual([]);
    const claim = h.applications.calls.filter((c) => c.method === "begin" && c.request.appId === app.id);
    expect(claim).toHaveLength(1);
    expect(
      h.applications.calls.filter(
        (c) => c.method === "abandon" && c.request.operationId === claim[0]!.request.operationId,
      ),
    ).toEqual([]);
  });

  it.each([
    ["UNAVAILABLE", () => new UnavailableError("the reply was lost")],
    ["DEADLINE_EXCEEDED", () => new DeadlineExceededError("the reply came too late")],
    ["INTERNAL", () => new InternalError("the reply could not be sent")],
  ])(
    "the claim's answer is lost (%s) - the claim it may have taken is given back; nothing recorded",
    async (code, lost) => {
      const app = await h.deployedApp(USER);
      h.applications.lostAnswers.set(app.id, lost());
      let err: ProximityError;
      try {
        err = await refusal(h.gateway.createBackup(createRequest(app.id), as(USER)));
      } finally {
        h.applications.lostAnswers.delete(app.id);
      }
      expect(err.code).toBe(code);
      const begin = h.applications.calls.find((c) => c.method === "begin" && c.request.appId === app.id)!;
      const operationId: string = begin.request.operationId;
      const abandoned = h.applications.calls.filter(
        (c) => c.method === "abandon" && c.request.operationId === operationId,
      );
      expect(abandoned).toHaveLength(1);
      expect(abandoned[0]).toMatchObject({
        caller: "backups",
        request: { reason: "The backup could not be started" },
      });
      expect(h.applications.claims.has(operationId)).toBe(false);
      expect(await rowsOf(app.id)).toEqual([]);
    },
  );

  it("an app without a container - 409 and the claim given back", async () => {
    const app = await h.deployedApp(USER, { vmid: 0 });
    const err = await refusal(h.gateway.createBackup(createRequest(app.id), as(USER)));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toBe("The app has no container to back up");
    const claim = h.applications.calls
      .filter((c) => c.method === "begin" && c.request.appId === app.id)
      .at(-1)!;
    expect(
      h.applications.calls.some(
        (c) => c.method === "abandon" && c.request.operationId === claim.request.operationId,
      ),
    ).toBe(true);
    expect(await rowsOf(app.id)).toEqual([]);
  });

  it("ownership - another user's app and a deleted app are NotFound before any claim; admins may back up a user's app", async () => {
    const app = await h.deployedApp(USER);
    const before = h.applications.calls.length;
    await expect(h.gateway.createBackup(createRequest(app.id), as(OTHER))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(h.applications.calls.length).toBe(before);
    // An unknown app: the applications service says NotFound.
    await expect(h.gateway.createBackup(createRequest(randomUUID()), as(USER))).rejects.toBeInstanceOf(
      NotFoundError,
    );

    const { backup } = await h.gateway.createBackup(createRequest(app.id), as(ADMIN));
    // The backup belongs to the app's owner: they see it.
    expect(backup).toMatchObject({ ownerId: USER.id });
    const row = (await rowsOf(app.id))[0]!;
    expect(row.requested_by).toBe(ADMIN.id);
    expect((await h.gateway.getBackup({ appId: app.id, backupId: backup!.id }, as(USER))).backup?.id).toBe(
      backup!.id,
    );
  });

  it("an app whose events have not arrived yet - the applications service decides, and the owner is recorded", async () => {
    const app = h.applications.addApp(USER.id);
    const { backup } = await h.gateway.createBackup(createRequest(app.id), as(USER));
    expect(
      (await h.gateway.getBackup({ appId: app.id, backupId: backup!.id }, as(USER))).backup?.ownerId,
    ).toBe(USER.id);
    await expect(
      h.gateway.getBackup({ appId: app.id, backupId: backup!.id }, as(OTHER)),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("gateway only, on behalf of a user", async () => {
    const app = await h.deployedApp(USER);
    await expect(h.gateway.createBackup(createRequest(app.id))).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(
      h.clientAs("provisioner").createBackup(createRequest(app.id), as(USER)),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});

describe("GetBackup, ListBackups - the ownership matrix", () => {
  it("owner and admin see a live app's backups; another user gets NotFound exactly as for an unknown id", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    const ids = { appId: app.id, backupId: backup.id };
    expect((await h.gateway.getBackup(ids, as(USER))).backup).toMatchObject({
      status: "completed",
      restorable: true,
      appDeleted: false,
    });
    expect((await h.gateway.getBackup(ids, as(ADMIN))).backup?.id).toBe(backup.id);
    const theirs = await refusal(h.gateway.getBackup(ids, as(OTHER)));
    const unknown = await refusal(h.gateway.getBackup({ appId: app.id, backupId: randomUUID() }, as(USER)));
    expect(theirs).toBeInstanceOf(NotFoundError);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(theirs.message).toBe(unknown.message);
    // Not a UUID, or the backup of another app: the same NotFound.
    await expect(h.gateway.getBackup({ appId: app.id, backupId: "nope" }, as(USER))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      h.gateway.getBackup({ appId: randomUUID(), backupId: backup.id }, as(ADMIN)),
    ).rejects.toBeInstanceOf(NotFoundError);

    expect(
      (await h.gateway.listBackups(listRequest({ appId: app.id }), as(USER))).items.map((b) => b.id),
    ).toEqual([backup.id]);
    expect(await h.gateway.listBackups(listRequest({ appId: app.id }), as(OTHER))).toMatchObject({
      items: [],
      total: 0,
    });
    expect((await h.gateway.listBackups(listRequest({ appId: app.id }), as(ADMIN))).total).toBe(1);
  });

  it("a deleted app - its owner reaches nothing, admins reach its backups marked app_deleted", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    await h.db
      .updateTable("app_owners")
      .set({ deleted_at: new Date() })
      .where("app_id", "=", app.id)
      .execute();
    const ids = { appId: app.id, backupId: backup.id };
    await expect(h.gateway.getBackup(ids, as(USER))).rejects.toBeInstanceOf(NotFoundError);
    expect((await h.gateway.listBackups(listRequest(), as(USER))).items.map((b) => b.id)).not.toContain(
      backup.id,
    );
    expect((await h.gateway.getBackup(ids, as(ADMIN))).backup).toMatchObject({
      appDeleted: true,
      restorable: true,
    });
    expect((await h.gateway.listBackups(listRequest(), as(ADMIN))).items.map((b) => b.id)).toContain(
      backup.id,
    );
    await expect(h.gateway.deleteBackup(ids, as(USER))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("app_deleted filters on the app's state: admins list the deleted apps' backups alone, users never see them", async () => {
    const live = await h.deployedApp(USER);
    const liveBackup = await completedBackup(h, live, USER);
    const gone = await h.deployedApp(USER);
    const goneBackup = await completedBackup(h, gone, USER);
    await h.db
      .updateTable("app_owners")
      .set({ deleted_at: new Date() })
      .where("app_id", "=", gone.id)
      .execute();
    const ids = async (appDeleted: boolean, who: typeof ADMIN) => {
      const page = await h.gateway.listBackups(listRequest({ appDeleted, perPage: 100 }), as(who));
      return {
        ids: page.items.map((b) => b.id),
        total: page.total,
        flags: page.items.map((b) => b.appDeleted),
      };
    };
    const deletedForAdmin = await ids(true, ADMIN);
    expect(deletedForAdmin.ids).toContain(goneBackup.id);
    expect(deletedForAdmin.ids).not.toContain(liveBackup.id);
    expect(deletedForAdmin.flags.every(Boolean)).toBe(true);
    expect(deletedForAdmin.total).toBe(deletedForAdmin.ids.length);
    const liveForAdmin = await ids(false, ADMIN);
    expect(liveForAdmin.ids).toContain(liveBackup.id);
    expect(liveForAdmin.ids).not.toContain(goneBackup.id);
    expect(liveForAdmin.flags.some(Boolean)).toBe(false);
    expect((await ids(true, USER)).ids).toEqual([]);
    expect((await ids(false, USER)).ids).toContain(liveBackup.id);
  });

  it("every backup the caller may see, newest first, paged and filtered by status", async () => {
    const owner = newUser();
    const a = await h.deployedApp(owner);
    const b = await h.deployedApp(owner);
    const first = await completedBackup(h, a, owner);
    const second = await completedBackup(h, b, owner);
    const { backup: running } = await h.gateway.createBackup(createRequest(a.id), as(owner));
    const all = await h.gateway.listBackups(listRequest(), as(owner));
    expect(all).toMatchObject({ total: 3, page: 1, perPage: 20 });
    expect(all.items.map((x) => x.id)).toEqual([running!.id, second.id, first.id]);
    const page2 = await h.gateway.listBackups(listRequest({ page: 2, perPage: 2 }), as(owner));
    expect(page2.items.map((x) => x.id)).toEqual([first.id]);
    const completed = await h.gateway.listBackups(listRequest({ status: "completed" }), as(owner));
    expect(completed.items.map((x) => x.id)).toEqual([second.id, first.id]);
    const err = await refusal(
      h.gateway.listBackups(listRequest({ status: "done", perPage: 500 }), as(owner)),
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors.map((f) => f.field).sort()).toEqual(["per_page", "status"]);
  });
});

describe("DeleteBackup", () => {
  it("a completed backup - deleting and its removal asked; again - the same answer; the provisioner's success removes it", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    const ids = { appId: app.id, backupId: backup.id };
    const { backup: deleting } = await h.gateway.deleteBackup(ids, as(USER));
    expect(deleting).toMatchObject({ status: "deleting", restorable: false });
    expect((await h.gateway.deleteBackup(ids, as(USER))).backup?.status).toBe("deleting");
    const requests = (await outboxEvents(h.db, app.id)).filter((e) => e.name === "BackupDeleteRequested");
    expect(requests).toHaveLength(1);
    expect(requests[0]!.payload).toMatchObject({
      backupId: backup.id,
      appId: app.id,
      hostId: "host-a",
      node: "pve1",
      storage: "local",
      volid: backup.volid,
    });
    // No restore from a backup being deleted.
    const err = await refusal(h.gateway.restoreBackup({ ...ids, newHostname: "" }, as(USER)));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toBe("The backup is being deleted");

    await h.result(Events.OperationSucceeded, {
      kind: Kind.OPERATION_KIND_DELETE_BACKUP,
      operationId: requests[0]!.payload.operationId,
      backupId: backup.id,
    });
    expect(await rowsOf(app.id)).toEqual([]);
    await expect(h.gateway.getBackup(ids, as(USER))).rejects.toBeInstanceOf(NotFoundError);
    const deleted = (await outboxEvents(h.db, app.id)).filter((e) => e.name === "BackupDeleted");
    expect(deleted.map((e) => e.payload.backup.backupId)).toEqual([backup.id]);
  });

  it("the archive could not be removed - completed again with the reason, still restorable", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    const ids = { appId: app.id, backupId: backup.id };
    await h.gateway.deleteBackup(ids, as(USER));
    const request = (await outboxEvents(h.db, app.id)).find((e) => e.name === "BackupDeleteRequested")!;
    await h.result(Events.OperationFailed, {
      kind: Kind.OPERATION_KIND_DELETE_BACKUP,
      operationId: request.payload.operationId,
      backupId: backup.id,
      reason: "the archive is protected on the storage",
    });
    expect((await h.gateway.getBackup(ids, as(USER))).backup).toMatchObject({
      status: "completed",
      restorable: true,
      error: "The archive could not be deleted: the archive is protected on the storage",
    });
  });

  it("a failed backup has no archive - removed at once, answered as deleted", async () => {
    const app = await h.deployedApp(USER);
    const { backup } = await h.gateway.createBackup(createRequest(app.id), as(USER));
    await h.result(Events.OperationFailed, {
      kind: Kind.OPERATION_KIND_BACKUP,
      operationId: await operationOf(h, backup!.id),
      backupId: backup!.id,
      reason: "the backup storage is full",
    });
    const { backup: gone } = await h.gateway.deleteBackup({ appId: app.id, backupId: backup!.id }, as(USER));
    expect(gone).toMatchObject({ id: backup!.id, status: "deleted", error: "the backup storage is full" });
    expect(await rowsOf(app.id)).toEqual([]);
    expect((await outboxEvents(h.db, app.id)).filter((e) => e.name === "BackupDeleteRequested")).toEqual([]);
  });

  it("a running backup - 409; another user's - NotFound", async () => {
    const app = await h.deployedApp(USER);
    const { backup } = await h.gateway.createBackup(createRequest(app.id), as(USER));
    const ids = { appId: app.id, backupId: backup!.id };
    const err = await refusal(h.gateway.deleteBackup(ids, as(USER)));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toBe("The backup is still running");
    await expect(h.gateway.deleteBackup(ids, as(OTHER))).rejects.toBeInstanceOf(NotFoundError);
    expect((await rowsOf(app.id)).map((r) => r.status)).toEqual(["running"]);
  });

  it("a backup a restore runs from - 409 until the restore ends", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    const ids = { appId: app.id, backupId: backup.id };
    const restore = await h.gateway.restoreBackup({ ...ids, newHostname: "" }, as(USER));
    const err = await refusal(h.gateway.deleteBackup(ids, as(USER)));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toBe("A restore from this backup is running");
    await h.result(Events.OperationSucceeded, {
      kind: Kind.OPERATION_KIND_RESTORE,
      operationId: restore.operationId,
      backupId: backup.id,
      appId: app.id,
    });
    expect((await h.gateway.deleteBackup(ids, as(ADMIN))).backup?.status).toBe("deleting");
  });
});
