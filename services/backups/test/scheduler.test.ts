import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { createDatabase } from "@proximity/db";
import { ConflictError, NotFoundError, UnavailableError } from "@proximity/errors";
import { provisionerEventsV1 } from "@proximity/proto";
import { eventually, testLogger } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackupScheduler } from "../src/app/backup-scheduler.js";
import { dispatchPendingBackups, PENDING_GIVE_UP_MS } from "../src/app/dispatch-pending-backups.js";
import { SKIPPED_POLICY_OFF, scheduleDueBackups } from "../src/app/schedule-due-backups.js";
import type { BackupsDatabase } from "../src/db/database.js";
import { createApplicationsPeer } from "../src/infra/applications-peer.js";
import {
  archiveOf,
  as,
  createRequest,
  type Harness,
  newUser,
  operationOf,
  policyRequest,
  startHarness,
} from "./support/harness.js";
import { outboxEvents } from "./support/outbox.js";

let h: Harness;
/** A second pool on the same database: another replica's scheduler. */
let otherDb: Kysely<BackupsDatabase>;
const USER = newUser();
const log = testLogger("scheduler");
const Kind = provisionerEventsV1.OperationKind;

beforeAll(async () => {
  h = await startHarness();
  otherDb = createDatabase<BackupsDatabase>({ url: h.databaseUrl, schema: "backups" });
});

afterAll(async () => {
  await otherDb?.destroy();
  await h?.close();
});

/** An app with an enabled daily policy whose next run is `due`. */
async function appDueAt(due: Date, patch: Parameters<typeof policyRequest>[1] = {}) {
  const app = await h.deployedApp(USER);
  await h.gateway.updateBackupPolicy(policyRequest(app.id, { schedule: "0 3 * * *", ...patch }), as(USER));
  await h.db.updateTable("backup_policies").set({ next_run_at: due }).where("app_id", "=", app.id).execute();
  return app;
}

const backupsOf = (appId: string) =>
  h.db.selectFrom("backups").selectAll().where("app_id", "=", appId).orderBy("created_at").execute();

const policyOf = (appId: string) =>
  h.db.selectFrom("backup_policies").selectAll().where("app_id", "=", appId).executeTakeFirstOrThrow();

describe("scheduler", () => {
  it("two schedulers on one database, many passes - exactly one backup per due slot", async () => {
    const slot = new Date(Date.now() - 60_000);
    const apps = await Promise.all(Array.from({ length: 8 }, () => appDueAt(slot)));
    const passes = Array.from({ length: 6 }, (_, i) => scheduleDueBackups(i % 2 ? otherDb : h.db, log));
    const outcomes = await Promise.all(passes);
    expect(outcomes.reduce((n, o) => n + o.scheduled, 0)).toBe(apps.length);
    for (const app of apps) {
      const rows = await backupsOf(app.id);
      expect(rows.map((r) => [r.status, r.trigger, r.scheduled_for?.getTime()])).toEqual([
        ["pending", "scheduled", slot.getTime()],
      ]);
      const policy = await policyOf(app.id);
      expect(policy.last_run_at?.getTime()).toBe(slot.getTime());
      expect(policy.next_run_at!.getTime()).toBeGreaterThan(Date.now());
    }
    // The database refuses a second backup for a slot whatever the code does.
    const app = apps[0]!;
    await expect(
      h.db
        .insertInto("backups")
        .values({
          id: randomUUID(),
          operation_id: randomUUID(),
          app_id: app.id,
          owner_id: USER.id,
          mode: "snapshot",
          compression: "zstd",
          status: "failed",
          trigger: "scheduled",
          scheduled_for: slot,
        })
        .execute(),
    ).rejects.toThrow(/backups_scheduled_slot_unique/);
  });

  it("two dispatchers - each pending backup is started once, on behalf of the app's owner", async () => {
    const slot = new Date(Date.now() - 60_000);
    const apps = await Promise.all(Array.from({ length: 4 }, () => appDueAt(slot)));
    await scheduleDueBackups(h.db, log);
    const peerA = createApplicationsPeer(h.applications.address, h.keys);
    const peerB = createApplicationsPeer(h.applications.address, h.keys);
    h.applications.delayMs = 50;
    try {
      await Promise.all([
        dispatchPendingBackups({ db: h.db, applications: peerA }, log),
        dispatchPendingBackups({ db: otherDb, applications: peerB }, log),
      ]);
    } finally {
      h.applications.delayMs = 0;
      peerA.close();
      peerB.close();
    }
    for (const app of apps) {
      const [row, ...more] = await backupsOf(app.id);
      expect(more).toEqual([]);
      expect(row).toMatchObject({ status: "running", host_id: "host-a", node: "pve1", vmid: app.vmid });
      const claims = h.applications.calls.filter(
        (c) => c.method === "begin" && c.request.backupId === row!.id,
      );
      expect(claims).toHaveLength(1);
      expect(claims[0]).toMatchObject({ user: { id: USER.id, isAdmin: false }, request: { kind: "backup" } });
      const events = await outboxEvents(h.db, app.id);
      expect(events.filter((e) => e.name === "BackupRequested").map((e) => e.payload.backupId)).toEqual([
        row!.id,
      ]);
      expect(events.find((e) => e.name === "BackupStarted")?.payload.backup.trigger).toBe("scheduled");
    }
  });

  it("two service replicas with running schedulers - one backup for the due slot", async () => {
    const app = await appDueAt(new Date(Date.now() - 5_000));
    const replicas = [
      await h.startReplica({ BACKUP_SCHEDULER_INTERVAL_MS: "40" }),
      await h.startReplica({ BACKUP_SCHEDULER_INTERVAL_MS: "40" }),
    ];
    try {
      await eventually(async () => (await backupsOf(app.id))[0]?.status === "running", {
        what: "scheduled backup",
      });
      await new Promise((r) => setTimeout(r, 300)); // more passes of both replicas
      expect((await backupsOf(app.id)).map((r) => r.status)).toEqual(["running"]);
    } finally {
      for (const replica of replicas) await replica.stop();
    }
  });

  it("slots missed while every replica was down run once, then the schedule continues from now", async () => {
    const app = await appDueAt(new Date(Date.now() - 3 * 86_400_000));
    await scheduleDueBackups(h.db, log);
    await scheduleDueBackups(h.db, log);
    expect(await backupsOf(app.id)).toHaveLength(1);
    const next = (await policyOf(app.id)).next_run_at!;
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime()).toBeLessThanOrEqual(Date.now() + 86_400_000);
    expect(next.getUTCHours()).toBe(3);
  });

  it("a slot while a backup of the app runs - recorded failed with the reason and BackupFailed, not dropped", async () => {
    const app = await appDueAt(new Date(Date.now() - 60_000));
    const { backup: manual } = await h.gateway.createBackup(createRequest(app.id), as(USER));
    await scheduleDueBackups(h.db, log);
    const rows = await backupsOf(app.id);
    expect(rows.map((r) => [r.trigger, r.status, r.error])).toEqual([
      ["manual", "running", ""],
      ["scheduled", "failed", "Skipped: another backup of the app was running"],
    ]);
    const failed = (await outboxEvents(h.db, app.id)).filter((e) => e.name === "BackupFailed");
    expect(failed.map((e) => e.payload.reason)).toEqual(["Skipped: another backup of the app was running"]);
    expect(manual?.status).toBe("running");
  });

  it("an app the applications service refuses or no longer knows - the scheduled backup fails with why", async () => {
    const busy = await appDueAt(new Date(Date.now() - 60_000));
    const gone = await appDueAt(new Date(Date.now() - 60_000));
    h.applications.refusals.set(busy.id, new ConflictError("Another operation is running: update"));
    h.applications.refusals.set(gone.id, new NotFoundError("App not found"));
    await scheduleDueBackups(h.db, log);
    await dispatchPendingBackups(
      { db: h.db, applications: createApplicationsPeer(h.applications.address, h.keys) },
      log,
    );
    expect((await backupsOf(busy.id)).map((r) => [r.status, r.error])).toEqual([
      ["failed", "Skipped: another operation is running: update"],
    ]);
    expect((await backupsOf(gone.id)).map((r) => [r.status, r.error])).toEqual([
      ["failed", "Skipped: the app no longer exists"],
    ]);
    const reasons = (await outboxEvents(h.db, busy.id)).filter((e) => e.name === "BackupFailed");
    expect(reasons.map((e) => e.payload.reason)).toEqual(["Skipped: another operation is running: update"]);
  });

  it("stop() lets a dispatch in progress finish: the claimed backup is recorded running, not lost", async () => {
    const app = await appDueAt(new Date(Date.now() - 60_000));
    h.applications.delayMs = 400;
    const replica = await h.startReplica({ BACKUP_SCHEDULER_INTERVAL_MS: "30" });
    try {
      await eventually(
        async () => h.applications.calls.some((c) => c.method === "begin" && c.request.appId === app.id),
        {
          what: "the dispatcher's claim",
        },
      );
    } finally {
      await replica.stop();
      h.applications.delayMs = 0;
    }
    expect((await backupsOf(app.id)).map((r) => r.status)).toEqual(["running"]);
  });
});

describe("scheduler - one policy never stops the others", () => {
  // cron-parser 5 gives up on "15 3 * * 0" in Australia/Lord_Howe from this instant (the slot of
  // Sunday 30 March 2025, 03:15 +11:00) until the clock change of 6 April.
  const LORD_HOWE_SLOT = new Date("2025-03-29T16:15:00Z");

  it("Sundays 03:15 in Australia/Lord_Howe at its slot before the clock change - scheduled, next run found, the other policy too", async () => {
    const lordHowe = await appDueAt(LORD_HOWE_SLOT, {
      schedule: "15 3 * * 0",
      timeZone: "Australia/Lord_Howe",
    });
    const other = await appDueAt(new Date("2025-03-29T16:00:00Z"));
    const outcome = await scheduleDueBackups(h.db, log, LORD_HOWE_SLOT);
    expect(outcome).toMatchObject({ scheduled: 2, failed: 0 });
    expect((await backupsOf(lordHowe.id)).map((r) => [r.status, r.scheduled_for?.toISOString()])).toEqual([
      ["pending", LORD_HOWE_SLOT.toISOString()],
    ]);
    // 03:15 on Sunday 6 April, after the change (+10:30).
    expect((await policyOf(lordHowe.id)).next_run_at?.toISOString()).toBe("2025-04-05T16:45:00.000Z");
    expect((await backupsOf(other.id)).map((r) => r.status)).toEqual(["pending"]);
    await h.db.deleteFrom("backups").where("app_id", "in", [lordHowe.id, other.id]).execute();
  });

  it("a policy that can never run (a time zone the runtime no longer knows) - turned off, its slot failed with why; the others scheduled", async () => {
    const slot = new Date("2025-03-29T15:00:00Z");
    const broken = await appDueAt(slot);
    await h.db
      .updateTable("backup_policies")
      .set({ time_zone: "Mars/Olympus" })
      .where("app_id", "=", broken.id)
      .execute();
    const healthy = await appDueAt(new Date("2025-03-29T15:30:00Z"));
    const outcome = await scheduleDueBackups(h.db, log, new Date("2025-03-29T16:00:00Z"));
    expect(outcome).toMatchObject({ scheduled: 1, failed: 1 });
    expect((await backupsOf(healthy.id)).map((r) => r.status)).toEqual(["pending"]);
    expect(await policyOf(broken.id)).toMatchObject({ enabled: false, next_run_at: null });
    const reason = `${SKIPPED_POLICY_OFF} time zone Mars/Olympus cannot be used: must be a time zone name such as Europe/Berlin or UTC`;
    expect((await backupsOf(broken.id)).map((r) => [r.status, r.scheduled_for?.getTime(), r.error])).toEqual([
      ["failed", slot.getTime(), reason],
    ]);
    const failed = (await outboxEvents(h.db, broken.id)).filter((e) => e.name === "BackupFailed");
    expect(failed.map((e) => e.payload.reason)).toEqual([reason]);
    await h.db.deleteFrom("backups").where("app_id", "in", [broken.id, healthy.id]).execute();
  });

  it("a database error on one policy - only its work is undone (savepoint), it stays due for the next pass; the others scheduled", async () => {
    const failing = await appDueAt(new Date("2025-03-29T14:00:00Z"));
    const healthy = await appDueAt(new Date("2025-03-29T14:30:00Z"));
    // A real PostgreSQL error, for this app's backups only.
    await sql
      .raw(`create function backups.refuse_one() returns trigger language plpgsql as $$
        begin
          if new.app_id = '${failing.id}' then raise exception 'storage of this row failed'; end if;
          return new;
        end $$;
        create trigger refuse_one before insert on backups.backups for each row execute function backups.refuse_one();`)
      .execute(h.db);
    try {
      const outcome = await scheduleDueBackups(h.db, log, new Date("2025-03-29T16:00:00Z"));
      expect(outcome).toMatchObject({ scheduled: 1, failed: 1 });
    } finally {
      await sql
        .raw("drop trigger refuse_one on backups.backups; drop function backups.refuse_one();")
        .execute(h.db);
    }
    expect((await backupsOf(healthy.id)).map((r) => r.status)).toEqual(["pending"]);
    expect(await backupsOf(failing.id)).toEqual([]);
    // Left as it was: enabled, still due, its slot taken by the next pass.
    expect(await policyOf(failing.id)).toMatchObject({
      enabled: true,
      next_run_at: new Date("2025-03-29T14:00:00Z"),
    });
    await scheduleDueBackups(h.db, log, new Date("2025-03-29T16:00:00Z"));
    expect((await backupsOf(failing.id)).map((r) => r.status)).toEqual(["pending"]);
    await h.db.deleteFrom("backups").where("app_id", "in", [failing.id, healthy.id]).execute();
  });

  it("the scheduling step failing as a whole - the pass still dispatches pending backups", async () => {
    const app = await appDueAt(new Date(Date.now() - 60_000));
    await scheduleDueBackups(h.db, log);
    expect((await backupsOf(app.id)).map((r) => r.status)).toEqual(["pending"]);
    const peer = createApplicationsPeer(h.applications.address, h.keys);
    const scheduler = createBackupScheduler({
      deps: { db: h.db, applications: peer },
      intervalMs: 3_600_000,
      logger: log,
    });
    // The scheduling step's table is gone for the pass: its step throws.
    await sql`alter table backups.backup_policies rename to backup_policies_away`.execute(h.db);
    try {
      await scheduler.runOnce();
    } finally {
      await sql`alter table backups.backup_policies_away rename to backup_policies`.execute(h.db);
      peer.close();
    }
    expect((await backupsOf(app.id)).map((r) => r.status)).toEqual(["running"]);
  });
});

describe("dispatch - the database failing", () => {
  it("before any row is taken - the dispatch stops with the error instead of trying again and again", async () => {
    const peer = createApplicationsPeer(h.applications.address, h.keys);
    await sql`alter table backups.backups rename to backups_away`.execute(h.db);
    try {
      await expect(dispatchPendingBackups({ db: h.db, applications: peer }, log)).rejects.toThrow(/backups/);
    } finally {
      await sql`alter table backups.backups_away rename to backups`.execute(h.db);
      peer.close();
    }
  });
});

describe("dispatch - a claim whose answer was lost", () => {
  it("within the hour - left pending, the next pass gets the same claim (and its deadline) and starts it", async () => {
    const app = await appDueAt(new Date(Date.now() - 60_000));
    await scheduleDueBackups(h.db, log);
    const peer = createApplicationsPeer(h.applications.address, h.keys);
    try {
      h.applications.lostAnswers.set(app.id, new UnavailableError("the reply was lost"));
      try {
        await dispatchPendingBackups({ db: h.db, applications: peer }, log);
      } finally {
        h.applications.lostAnswers.delete(app.id);
      }
      const [pending] = await backupsOf(app.id);
      expect(pending?.status).toBe("pending");
      const claim = h.applications.claims.get(pending!.operation_id);
      expect(claim).toMatchObject({ appId: app.id, kind: "backup", backupId: pending!.id });
      await dispatchPendingBackups({ db: h.db, applications: peer }, log);
      expect((await backupsOf(app.id)).map((r) => r.status)).toEqual(["running"]);
      const requested = (await outboxEvents(h.db, app.id)).filter((e) => e.name === "BackupRequested");
      // The deadline of the claim taken by the first pass, carried to the provisioner.
      expect(requested.map((e) => e.payload.notAfter)).toEqual([claim!.deadline]);
      expect(
        h.applications.calls.filter(
          (c) => c.method === "abandon" && c.request.operationId === pending!.operation_id,
        ),
      ).toEqual([]);
    } finally {
      peer.close();
    }
  });

  it("past the hour - the backup fails with why and the claim it may hold is given back", async () => {
    const app = await appDueAt(new Date(Date.now() - PENDING_GIVE_UP_MS - 60_000));
    await scheduleDueBackups(h.db, log);
    const peer = createApplicationsPeer(h.applications.address, h.keys);
    h.applications.lostAnswers.set(app.id, new UnavailableError("the reply was lost"));
    try {
      await dispatchPendingBackups({ db: h.db, applications: peer }, log);
    } finally {
      h.applications.lostAnswers.delete(app.id);
      peer.close();
    }
    const [row, ...more] = await backupsOf(app.id);
    expect(more).toEqual([]);
    expect([row?.status, row?.error]).toEqual([
      "failed",
      "Skipped: the applications service did not answer in time",
    ]);
    expect(
      h.applications.calls.filter(
        (c) => c.method === "abandon" && c.request.operationId === row!.operation_id,
      ),
    ).toHaveLength(1);
    expect(h.applications.claims.has(row!.operation_id)).toBe(false);
    const failed = (await outboxEvents(h.db, app.id)).filter((e) => e.name === "BackupFailed");
    expect(failed.map((e) => e.payload.operationId)).toEqual([row!.operation_id]);
  });
});

describe("retention after a scheduled backup", () => {
  const scheduledCompleted = (
    appId: string,
    createdAt: string,
    trigger: "scheduled" | "manual" = "scheduled",
  ) => {
    const id = randomUUID();
    return h.db
      .insertInto("backups")
      .values({
        id,
        operation_id: randomUUID(),
        app_id: appId,
        owner_id: USER.id,
        host_id: "host-a",
        node: "pve1",
        vmid: 100,
        storage: "local",
        volid: `local:backup/vzdump-lxc-100-${id}.tar.zst`,
        size_bytes: 10,
        archive_created_at: new Date(createdAt),
        mode: "snapshot",
        compression: "zstd",
        status: "completed",
        trigger,
        scheduled_for: trigger === "scheduled" ? new Date(createdAt) : null,
        completed_at: new Date(createdAt),
      })
      .returning("id")
      .executeTakeFirstOrThrow()
      .then((r) => r.id);
  };

  /** Runs the app's due slot through the scheduler and completes it with an archive made at `createdAt`. */
  async function scheduledBackupCompletes(appId: string, vmid: number, createdAt: string) {
    await scheduleDueBackups(h.db, log);
    await dispatchPendingBackups(
      { db: h.db, applications: createApplicationsPeer(h.applications.address, h.keys) },
      log,
    );
    const row = (await backupsOf(appId)).find((r) => r.status === "running")!;
    await h.result(Events.OperationSucceeded, {
      kind: Kind.OPERATION_KIND_BACKUP,
      operationId: await operationOf(h, row.id),
      backupId: row.id,
      appId,
      archive: { ...archiveOf(row.id, vmid), createdAt: new Date(createdAt) },
    });
    return row.id;
  }

  it("prunes exactly what the policy says, in its time zone; manual backups are never pruned", async () => {
    // keep-last 1, keep-daily 2 read in New York: the 18:00 and 22:00 (Jan 1, local) backups share
    // a day and the older goes; read in UTC it would be the 03:00Z one instead.
    const app = await appDueAt(new Date(Date.now() - 60_000), {
      timeZone: "America/New_York",
      keepLast: 1,
      keepDaily: 2,
    });
    const b1 = await scheduledCompleted(app.id, "2024-01-01T23:00:00Z"); // NY Jan 1 18:00
    const b2 = await scheduledCompleted(app.id, "2024-01-02T03:00:00Z"); // NY Jan 1 22:00
    const b3 = await scheduledCompleted(app.id, "2024-01-02T06:00:00Z"); // NY Jan 2 01:00
    const manual = await scheduledCompleted(app.id, "2023-12-01T00:00:00Z", "manual");
    const b4 = await scheduledBackupCompletes(app.id, app.vmid, "2024-01-03T06:00:00Z"); // NY Jan 3 01:00

    const statuses = new Map((await backupsOf(app.id)).map((r) => [r.id, [r.status, r.delete_reason]]));
    expect(statuses).toEqual(
      new Map([
        [b1, ["deleting", "retention"]],
        [b2, ["completed", null]],
        [b3, ["completed", null]],
        [manual, ["completed", null]],
        [b4, ["completed", null]],
      ]),
    );
    const events = await outboxEvents(h.db, app.id);
    expect(events.filter((e) => e.name === "BackupDeleteRequested").map((e) => e.payload.backupId)).toEqual([
      b1,
    ]);
    const pruned = events.filter((e) => e.name === "BackupsPruned");
    expect(
      pruned.map((e) => [e.payload.appId, e.payload.backups.map((b: { backupId: string }) => b.backupId)]),
    ).toEqual([[app.id, [b1]]]);

    // The archive is removed: the record goes without a BackupDeleted (BackupsPruned said it).
    const request = events.find((e) => e.name === "BackupDeleteRequested")!;
    await h.result(Events.OperationSucceeded, {
      kind: Kind.OPERATION_KIND_DELETE_BACKUP,
      operationId: request.payload.operationId,
      backupId: b1,
    });
    expect((await backupsOf(app.id)).map((r) => r.id)).not.toContain(b1);
    expect((await outboxEvents(h.db, app.id)).filter((e) => e.name === "BackupDeleted")).toEqual([]);
  });

  it("a manual backup completing runs no retention; keep-all (every rule 0) prunes nothing", async () => {
    const app = await appDueAt(new Date(Date.now() + 86_400_000), { keepLast: 1 });
    const old = await scheduledCompleted(app.id, "2024-01-01T00:00:00Z");
    const older = await scheduledCompleted(app.id, "2023-01-01T00:00:00Z");
    const { backup } = await h.gateway.createBackup(createRequest(app.id), as(USER));
    await h.result(Events.OperationSucceeded, {
      kind: Kind.OPERATION_KIND_BACKUP,
      operationId: await operationOf(h, backup!.id),
      backupId: backup!.id,
      archive: archiveOf(backup!.id, app.vmid),
    });
    expect((await backupsOf(app.id)).every((r) => r.status === "completed")).toBe(true);

    await h.gateway.updateBackupPolicy(policyRequest(app.id, { keepLast: 0 }), as(USER));
    await h.db
      .updateTable("backup_policies")
      .set({ next_run_at: new Date(Date.now() - 1_000) })
      .where("app_id", "=", app.id)
      .execute();
    await scheduledBackupCompletes(app.id, app.vmid, new Date().toISOString());
    const rows = await backupsOf(app.id);
    expect(rows.map((r) => r.status)).toEqual(["completed", "completed", "completed", "completed"]);
    expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining([old, older]));
  });
});
