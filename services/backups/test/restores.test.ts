import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import {
  ConflictError,
  DeadlineExceededError,
  NotFoundError,
  PermissionDeniedError,
  type ProximityError,
  UnavailableError,
  ValidationError,
} from "@proximity/errors";
import { applicationsV1, provisionerEventsV1 } from "@proximity/proto";
import { testLogger } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackupScheduler } from "../src/app/backup-scheduler.js";
import { createApplicationsPeer } from "../src/infra/applications-peer.js";
import { as, completedBackup, type Harness, newUser, startHarness } from "./support/harness.js";
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

const claimOf = async (backupId: string) =>
  (
    await h.db
      .selectFrom("backups")
      .select("restore_operation_id")
      .where("id", "=", backupId)
      .executeTakeFirstOrThrow()
  ).restore_operation_id;

const restoreRow = (operationId: string) =>
  h.db.selectFrom("restores").selectAll().where("id", "=", operationId).executeTakeFirstOrThrow();

describe("RestoreBackup", () => {
  it("onto its own app - claims the archive and the app; RestoreRequested starts it again when it was running", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    const ids = { appId: app.id, backupId: backup.id };
    const res = await h.gateway.restoreBackup({ ...ids, newHostname: "" }, as(USER));
    expect(res).toMatchObject({
      targetAppId: app.id,
      newApp: false,
      backup: { restoring: true, restorable: false },
    });
    expect(await claimOf(backup.id)).toBe(res.operationId);
    const claim = h.applications.calls.find(
      (c) => c.method === "begin" && c.request.operationId === res.operationId,
    );
    expect(claim).toMatchObject({
      user: USER,
      request: { appId: app.id, kind: "restore", backupId: backup.id },
    });
    const events = (await outboxEvents(h.db, app.id)).filter((e) => e.name.startsWith("Restore"));
    expect(events.map((e) => e.name)).toEqual(["RestoreRequested", "RestoreStarted"]);
    expect(events[0]!.payload).toMatchObject({
      operationId: res.operationId,
      backupId: backup.id,
      appId: app.id,
      sourceAppId: app.id,
      hostId: "host-a",
      node: "pve1",
      vmid: app.vmid,
      storage: "local",
      volid: backup.volid,
      newApp: false,
      startAfter: true,
      adopted: false,
      // The claim's deadline: after it the provisioner must not begin to overwrite the container.
      notAfter: h.applications.claims.get(res.operationId)?.deadline,
    });
    expect(events[0]!.payload.notAfter).toBeInstanceOf(Date);
    expect(await restoreRow(res.operationId)).toMatchObject({ status: "running", target_app_id: app.id });

    // A second restore from it, or a delete, waits for this one.
    const again = await refusal(h.gateway.restoreBackup({ ...ids, newHostname: "" }, as(USER)));
    expect(again).toBeInstanceOf(ConflictError);
    expect(again.message).toBe("A restore from this backup is running");

    await h.result(Events.OperationSucceeded, {
      kind: Kind.OPERATION_KIND_RESTORE,
      operationId: res.operationId,
      backupId: backup.id,
      appId: app.id,
      containerStatus: "running",
    });
    expect(await claimOf(backup.id)).toBeNull();
    expect(await restoreRow(res.operationId)).toMatchObject({ status: "succeeded" });
    expect((await h.gateway.getBackup(ids, as(USER))).backup).toMatchObject({
      restoring: false,
      restorable: true,
    });
    const done = (await outboxEvents(h.db, app.id)).filter((e) => e.name === "RestoreCompleted");
    expect(done.map((e) => e.payload)).toEqual([
      expect.objectContaining({ operationId: res.operationId, targetAppId: app.id, newApp: false }),
    ]);
  });

  it("a stopped app is not started after the restore", async () => {
    const app = await h.deployedApp(USER, { status: applicationsV1.AppStatus.APP_STATUS_STOPPED });
    const backup = await completedBackup(h, app, USER);
    const res = await h.gateway.restoreBackup(
      { appId: app.id, backupId: backup.id, newHostname: "" },
      as(USER),
    );
    const request = (await outboxEvents(h.db, app.id)).find(
      (e) => e.name === "RestoreRequested" && e.payload.operationId === res.operationId,
    )!;
    expect(request.payload.startAfter).toBe(false);
  });

  it("into a new app - owned by the caller, placed where the archive is, with the source's secret names", async () => {
    const app = await h.deployedApp(USER, { secrets: { DB_PASSWORD: true, API_KEY: false } });
    const backup = await completedBackup(h, app, USER);
    const res = await h.gateway.restoreBackup(
      { appId: app.id, backupId: backup.id, newHostname: "blog-copy" },
      as(USER),
    );
    expect(res.newApp).toBe(true);
    expect(res.targetAppId).not.toBe(app.id);
    const call = h.applications.calls.find(
      (c) => c.method === "restoreIntoNewApp" && c.request.operationId === res.operationId,
    );
    expect(call).toMatchObject({
      user: USER,
      request: {
        sourceAppId: app.id,
        newHostname: "blog-copy",
        backupId: backup.id,
        hostId: "host-a",
        node: "pve1",
      },
    });
    const newApp = h.applications.apps.get(res.targetAppId)!;
    const request = (await outboxEvents(h.db, res.targetAppId)).find((e) => e.name === "RestoreRequested")!;
    expect(request.payload).toMatchObject({
      appId: res.targetAppId,
      sourceAppId: app.id,
      vmid: 0,
      newApp: true,
      hostname: "blog-copy",
      publicPort: newApp.port,
      secretEnvironment: ["API_KEY", "DB_PASSWORD"],
      startAfter: true,
      volid: backup.volid,
      notAfter: h.applications.claims.get(res.operationId)?.deadline,
    });
    expect(request.payload.notAfter).toBeInstanceOf(Date);

    await h.result(Events.OperationFailed, {
      kind: Kind.OPERATION_KIND_RESTORE,
      operationId: res.operationId,
      backupId: backup.id,
      appId: res.targetAppId,
      reason: "the restored app did not come up",
    });
    expect(await restoreRow(res.operationId)).toMatchObject({
      status: "failed",
      error: "the restored app did not come up",
    });
    expect(await claimOf(backup.id)).toBeNull();
    const failed = (await outboxEvents(h.db, res.targetAppId)).filter((e) => e.name === "RestoreFailed");
    expect(failed.map((e) => e.payload.reason)).toEqual(["the restored app did not come up"]);
  });

  it("the applications service refuses - its error, and the archive's claim is given back", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    h.applications.refusals.set(app.id, new ConflictError("Another operation is running: update"));
    try {
      const err = await refusal(
        h.gateway.restoreBackup({ appId: app.id, backupId: backup.id, newHostname: "" }, as(USER)),
      );
      expect(err).toBeInstanceOf(ConflictError);
      expect(err.message).toBe("Another operation is running: update");
    } finally {
      h.applications.refusals.delete(app.id);
    }
    expect(await claimOf(backup.id)).toBeNull();
    // A refusal took nothing at the applications service: nothing to give back there.
    const begins = h.applications.calls.filter(
      (c) => c.method === "begin" && c.request.backupId === backup.id && c.request.kind === "restore",
    );
    expect(begins).toHaveLength(1);
    expect(
      h.applications.calls.filter(
        (c) => c.method === "abandon" && c.request.operationId === begins[0]!.request.operationId,
      ),
    ).toEqual([]);
    expect(
      await h.db.selectFrom("restores").select("id").where("backup_id", "=", backup.id).execute(),
    ).toEqual([]);
  });

  it.each([
    ["onto its own app", "", () => new DeadlineExceededError("the reply came too late")],
    ["into a new app", "lost-copy", () => new UnavailableError("the reply was lost")],
  ])(
    "%s, the claim's answer lost - the claim it may have taken is given back, and the archive's",
    async (_, newHostname, lost) => {
      const app = await h.deployedApp(USER);
      const backup = await completedBackup(h, app, USER);
      h.applications.lostAnswers.set(app.id, lost());
      try {
        const err = await refusal(
          h.gateway.restoreBackup({ appId: app.id, backupId: backup.id, newHostname }, as(USER)),
        );
        expect(err.code).toBe(lost().code);
      } finally {
        h.applications.lostAnswers.delete(app.id);
      }
      const method = newHostname ? "restoreIntoNewApp" : "begin";
      const claim = h.applications.calls.find(
        (c) => c.method === method && c.request.backupId === backup.id && c.request.kind !== "backup",
      )!;
      const operationId: string = claim.request.operationId;
      expect(
        h.applications.calls.filter((c) => c.method === "abandon" && c.request.operationId === operationId),
      ).toMatchObject([{ caller: "backups", request: { reason: "The restore could not be started" } }]);
      expect(h.applications.claims.has(operationId)).toBe(false);
      expect(await claimOf(backup.id)).toBeNull();
      expect(
        await h.db.selectFrom("restores").select("id").where("backup_id", "=", backup.id).execute(),
      ).toEqual([]);
    },
  );

  it("into a new app past the user's quota - their 403 with its words, not a 500; the archive's claim is given back", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    const quota = "App quota reached (2 apps); ask an administrator to raise it";
    h.applications.refusals.set(app.id, new PermissionDeniedError(quota));
    try {
      const err = await refusal(
        h.gateway.restoreBackup({ appId: app.id, backupId: backup.id, newHostname: "copy" }, as(USER)),
      );
      expect(err).toBeInstanceOf(PermissionDeniedError);
      expect(err.message).toBe(quota);
      // The allow-list refusing this service is ours to fix: never shown to the user as theirs.
      h.applications.refusals.set(
        app.id,
        new PermissionDeniedError("Service backups may not call RestoreIntoNewApp"),
      );
      const ours = await refusal(
        h.gateway.restoreBackup({ appId: app.id, backupId: backup.id, newHostname: "copy" }, as(USER)),
      );
      expect(ours.code).toBe("INTERNAL");
    } finally {
      h.applications.refusals.delete(app.id);
    }
    expect(await claimOf(backup.id)).toBeNull();
  });

  it("one running restore per app - a second restore onto the app is 409 even if the claim let it through", async () => {
    const app = await h.deployedApp(USER);
    const first = await completedBackup(h, app, USER);
    const second = await completedBackup(h, app, USER);
    await h.gateway.restoreBackup({ appId: app.id, backupId: first.id, newHostname: "" }, as(USER));
    const err = await refusal(
      h.gateway.restoreBackup({ appId: app.id, backupId: second.id, newHostname: "" }, as(USER)),
    );
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toBe("A restore of this app is running");
    expect(await claimOf(second.id)).toBeNull();
    const lastClaim = h.applications.calls
      .filter((c) => c.method === "begin" && c.request.backupId === second.id)
      .at(-1)!;
    expect(
      h.applications.calls.some(
        (c) => c.method === "abandon" && c.request.operationId === lastClaim.request.operationId,
      ),
    ).toBe(true);
  });

  it("concurrent restores from one archive - exactly one claims it", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    const results = await Promise.allSettled(
      ["copy-a", "copy-b", "copy-c"].map((name) =>
        h.gateway.restoreBackup({ appId: app.id, backupId: backup.id, newHostname: name }, as(USER)),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    }
  });

  it("not restorable - failed, missing; the target app on another host; bad new hostname", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    const ids = { appId: app.id, backupId: backup.id };
    await h.db.updateTable("backups").set({ status: "missing" }).where("id", "=", backup.id).execute();
    expect((await refusal(h.gateway.restoreBackup({ ...ids, newHostname: "" }, as(USER)))).message).toBe(
      "The archive is no longer on its storage",
    );
    await h.db.updateTable("backups").set({ status: "failed" }).where("id", "=", backup.id).execute();
    expect((await refusal(h.gateway.restoreBackup({ ...ids, newHostname: "" }, as(USER)))).message).toBe(
      "Only a completed backup can be restored",
    );
    await h.db.updateTable("backups").set({ status: "completed" }).where("id", "=", backup.id).execute();

    const bad = await refusal(h.gateway.restoreBackup({ ...ids, newHostname: "no spaces" }, as(USER)));
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad.fieldErrors.map((f) => f.field)).toEqual(["new_hostname"]);
    const long = await refusal(h.gateway.restoreBackup({ ...ids, newHostname: "a".repeat(64) }, as(USER)));
    expect(long.fieldErrors.map((f) => f.field)).toEqual(["new_hostname"]);

    h.applications.apps.set(app.id, { ...app, hostId: "host-b" });
    const moved = await refusal(h.gateway.restoreBackup({ ...ids, newHostname: "" }, as(USER)));
    expect(moved.message).toBe("The backup is on another host than the app");
    expect(await claimOf(backup.id)).toBeNull();
  });

  it("ownership - another user NotFound; a deleted app: owner NotFound, admin only into a new app", async () => {
    const app = await h.deployedApp(USER);
    const backup = await completedBackup(h, app, USER);
    const ids = { appId: app.id, backupId: backup.id };
    await expect(h.gateway.restoreBackup({ ...ids, newHostname: "" }, as(OTHER))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      h.gateway.restoreBackup({ appId: app.id, backupId: randomUUID(), newHostname: "" }, as(USER)),
    ).rejects.toBeInstanceOf(NotFoundError);

    await h.db
      .updateTable("app_owners")
      .set({ deleted_at: new Date() })
      .where("app_id", "=", app.id)
      .execute();
    h.applications.deleted.add(app.id);
    await expect(h.gateway.restoreBackup({ ...ids, newHostname: "x" }, as(USER))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const onto = await refusal(h.gateway.restoreBackup({ ...ids, newHostname: "" }, as(ADMIN)));
    expect(onto).toBeInstanceOf(ConflictError);
    expect(onto.message).toBe("The app was deleted: restore its backup into a new app");
    const res = await h.gateway.restoreBackup({ ...ids, newHostname: "revived" }, as(ADMIN));
    expect(res).toMatchObject({ newApp: true, backup: { appDeleted: true } });
    expect(h.applications.apps.get(res.targetAppId)?.ownerId).toBe(ADMIN.id);
  });

  it("a claim left behind (no running restore, older than 10 minutes) is given back by the scheduler's pass", async () => {
    const app = await h.deployedApp(USER);
    const orphan = await completedBackup(h, app, USER);
    const held = await completedBackup(h, app, USER);
    const running = await h.gateway.restoreBackup(
      { appId: app.id, backupId: held.id, newHostname: "kept" },
      as(USER),
    );
    const longAgo = new Date(Date.now() - 11 * 60_000);
    await h.db
      .updateTable("backups")
      .set({ restore_operation_id: randomUUID(), restore_claimed_at: longAgo })
      .where("id", "=", orphan.id)
      .execute();
    await h.db
      .updateTable("backups")
      .set({ restore_claimed_at: longAgo })
      .where("id", "=", held.id)
      .execute();
    const applications = createApplicationsPeer(h.applications.address, h.keys);
    try {
      await createBackupScheduler({
        deps: { db: h.db, applications },
        intervalMs: 60_000,
        logger: testLogger(),
      }).runOnce();
    } finally {
      applications.close();
    }
    expect(await claimOf(orphan.id)).toBeNull();
    expect(await claimOf(held.id)).toBe(running.operationId);
  });
});
