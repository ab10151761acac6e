/**
 * The statements that settle an operation's result, on a real database without the service around
 * it: the read that locks the operation and reads its app, and the update that settles the app
 * and finishes the operation together (what a result, the reaper and an abandon run).
 */
import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { createDatabase, migrateToLatest } from "@proximity/db";
import { createTestDatabase, eventually, statementCounter, testLogger } from "@proximity/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appEvent, appRef, assertDescribes } from "../src/app/app-events.js";
import { currentOperation, settleAndRecord } from "../src/app/settle-operation.js";
import { findAppById, insertApp, settleApp } from "../src/db/app.repository.js";
import type { ApplicationsDatabase, ApplicationsDb } from "../src/db/database.js";
import { applicationsMigrations } from "../src/db/migrations/index.js";
import { findOperation, insertOperation, lockOperationWithApp } from "../src/db/operation.repository.js";
import { outboxEvents } from "./support/outbox.js";

const schema = "applications";
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: ApplicationsDb;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase<ApplicationsDatabase>({ url: database.url, schema, poolMax: 6 });
  await migrateToLatest(db, { schema, migrations: applicationsMigrations });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

/** An app being deployed by its (running) operation, as DeployApp leaves it. */
async function deploying(): Promise<{ appId: string; operationId: string }> {
  const appId = randomUUID();
  const operationId = randomUUID();
  await db.transaction().execute(async (trx) => {
    await insertApp(trx, {
      id: appId,
      owner_id: randomUUID(),
      catalog_id: "whoami",
      hostname: `app-${appId.slice(0, 8)}`,
      status: "deploying",
      host_id: "host-a",
      node: "pve1",
      vmid: null,
      port: 80,
      ip_address: null,
      environment: "{}",
      secret_env: "{}",
      current_operation_id: operationId,
      current_operation: "deploy",
      idempotency_key: null,
    });
    await insertOperation(trx, {
      id: operationId,
      appId,
      kind: "deploy",
      requestedBy: randomUUID(),
      deadlineMs: 600_000,
    });
  });
  return { appId, operationId };
}

/** Whether another transaction could lock the row now (NOWAIT: a held lock fails at once). */
async function lockableElsewhere(table: "apps" | "app_operations", id: string): Promise<boolean> {
  try {
    await sql`select 1 from ${sql.table(table)} where id = ${id} for update nowait`.execute(db);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "55P03") return false;
    throw err;
  }
}

/** The app's log, oldest first, and the events recorded about it. */
async function recordedFor(appId: string) {
  const lines = await db
    .selectFrom("deployment_logs")
    .select(["level", "step", "message"])
    .where("app_id", "=", appId)
    .orderBy("id")
    .execute();
  const events = await db
    .selectFrom("outbox")
    .select("type")
    .where(sql<string>`headers->>'ce-subject'`, "=", appId)
    .execute();
  return { lines, events: events.map((e) => e.type) };
}

const deployed = { vmid: 104, node: "pve1", host_id: "host-a", ip_address: "10.0.0.7", status_message: "" };
let lastVmid = 200;
/** `deployed` on a container of its own (live apps never share one). */
const deployedNew = () => ({ ...deployed, vmid: ++lastVmid });

describe("settling an operation's result", () => {
  it("the read locks the operation row (not its app) and returns both as stored", async () => {
    const { appId, operationId } = await deploying();
    await db.transaction().execute(async (trx) => {
      const locked = await lockOperationWithApp(trx, operationId);
      expect(locked?.op).toEqual(await findOperation(db, operationId));
      expect(locked?.app).toEqual(await findAppById(db, appId));
      expect(await lockableElsewhere("app_operations", operationId)).toBe(false);
      expect(await lockableElsewhere("apps", appId)).toBe(true);
    });
    expect(await lockOperationWithApp(db, randomUUID())).toBeUndefined();
  });

  it("settling the current operation finishes it in the same statement, with its reason", async () => {
    const ok = await deploying();
    const failing = await deploying();
    const settled = await settleApp(
      db,
      { id: ok.appId, status: "deploying" },
      ok.operationId,
      "running",
      deployed,
      {
        status: "succeeded",
      },
      { log: [] },
    );
    expect(settled).toMatchObject({ id: ok.appId, status: "running", vmid: 104, current_operation_id: null });
    expect(await findOperation(db, ok.operationId)).toMatchObject({
      status: "succeeded",
      reason: "",
      finished_at: expect.any(Date),
    });
    await settleApp(
      db,
      { id: failing.appId, status: "deploying" },
      failing.operationId,
      "error",
      { status_message: "storage full" },
      { status: "failed", reason: "storage full" },
      { log: [] },
    );
    expect(await findOperation(db, failing.operationId)).toMatchObject({
      status: "failed",
      reason: "storage full",
    });
  });

  it("the app's log lines (in order) and its event are written by the settling statement itself", async () => {
    const { appId, operationId } = await deploying();
    const counter = statementCounter();
    const lines = [
      { level: "info", step: "start-app", message: "Starting the app" },
      { level: "info", step: "succeeded", message: "Deployed" },
      { level: "warn", step: "note", message: "a third line, after the others" },
    ] as const;
    const ref = { appId, ownerId: "", hostname: "", catalogId: "", hostId: "", node: "", vmid: 104 };
    const settled = await settleApp(
      db.withPlugin(counter.plugin),
      { id: appId, status: "deploying" },
      operationId,
      "running",
      deployedNew(),
      { status: "succeeded" },
      { log: lines, event: appEvent(Events.AppDeployed, { app: ref, operationId }, { id: appId }, "") },
    );
    expect(settled).toMatchObject({ id: appId, status: "running" });
    expect(counter.sent).toBe(1);
    expect(await recordedFor(appId)).toEqual({ lines, events: [Events.AppDeployed.type] });
  });

  it("a settlement without an event writes its lines only; without lines, nothing to the log", async () => {
    const quiet = await deploying();
    const line = { level: "warn", step: "abandoned", message: "Backup did not start" } as const;
    await settleApp(
      db,
      { id: quiet.appId, status: "deploying" },
      quiet.operationId,
      "error",
      { status_message: "x" },
      { status: "failed", reason: "x" },
      { log: [line] },
    );
    expect(await recordedFor(quiet.appId)).toEqual({ lines: [line], events: [] });
    const bare = await deploying();
    await settleApp(
      db,
      { id: bare.appId, status: "deploying" },
      bare.operationId,
      "running",
      deployedNew(),
      {
        status: "succeeded",
      },
      { log: [] },
    );
    expect(await recordedFor(bare.appId)).toEqual({ lines: [], events: [] });
  });

  it("an operation that is not the app's current one changes nothing, the operation included", async () => {
    const mine = await deploying();
    const other = await deploying();
    const before = await findAppById(db, other.appId);
    const settled = await settleApp(
      db,
      { id: other.appId, status: "deploying" },
      mine.operationId,
      "running",
      deployed,
      { status: "succeeded" },
      { log: [] },
    );
    expect(settled).toBeUndefined();
    expect(await findAppById(db, other.appId)).toEqual(before);
    // Nor are its log lines or its event written.
    const late = await settleApp(
      db,
      { id: mine.appId, status: "deploying" },
      other.operationId,
      "running",
      deployed,
      { status: "succeeded" },
      {
        log: [{ level: "info", step: "succeeded", message: "late" }],
        event: appEvent(
          Events.AppDeployed,
          { app: undefined, operationId: other.operationId },
          { id: mine.appId },
          "",
        ),
      },
    );
    expect(late).toBeUndefined();
    expect(await recordedFor(mine.appId)).toEqual({ lines: [], events: [] });
    expect(await findOperation(db, mine.operationId)).toMatchObject({ status: "running", finished_at: null });
  });

  it("a result waiting for the reaper's lock sees the operation timed out and leaves the app alone; the reaper's status stays", async () => {
    const { appId, operationId } = await deploying();
    const log = testLogger("applications");
    let commitReaper!: () => void;
    const reaperMayCommit = new Promise<void>((resolve) => {
      commitReaper = resolve;
    });
    let reaperHolds!: () => void;
    const reaperHoldsLock = new Promise<void>((resolve) => {
      reaperHolds = resolve;
    });
    // What the reaper does: times the operation out (locking it), then settles the app.
    const reaper = db.transaction().execute(async (trx) => {
      await trx
        .updateTable("app_operations")
        .set({ status: "timed_out", reason: "did not finish before its deadline", finished_at: new Date() })
        .where("id", "=", operationId)
        .execute();
      await settleApp(
        trx,
        { id: appId, status: "deploying" },
        operationId,
        "error",
        { status_message: "timed out" },
        { status: "failed", reason: "timed out" },
        { log: [] },
      );
      reaperHolds();
      await reaperMayCommit;
    });
    await reaperHoldsLock;
    const result = db.transaction().execute((trx) => currentOperation(trx, operationId, log));
    try {
      // The result's read is waiting for the reaper's lock.
      await eventually(async () => {
        const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like '%op_status%'`.execute(
          db,
        );
        return waiting.rows[0]!.n === 1;
      });
    } finally {
      commitReaper();
      await reaper;
    }
    expect(await result).toBeUndefined();
    expect(await findOperation(db, operationId)).toMatchObject({
      status: "timed_out",
      reason: "did not finish before its deadline",
    });
    expect(await findAppById(db, appId)).toMatchObject({ status: "error", status_message: "timed out" });
  });

  it("an event made before its statement must describe the app as the statement left it", async () => {
    const { appId } = await deploying();
    const stored = (await findAppById(db, appId))!;
    expect(() =>
      assertDescribes(stored, { ...stored, status: "running", status_message: "x" }),
    ).not.toThrow();
    expect(() => assertDescribes(stored, { ...stored, vmid: 300 })).toThrow(
      /vmid is 300, but its event says 0/,
    );
    expect(() => assertDescribes(stored, { ...stored, node: "pve2" })).toThrow(/node/);
  });

  it("settleAndRecord: the event describes the app as settled, host included", async () => {
    const { appId, operationId } = await deploying();
    const app = (await findAppById(db, appId))!;
    const moved = { ...deployedNew(), host_id: "host-b", node: "pve9" };
    await db.transaction().execute((trx) =>
      settleAndRecord(
        trx,
        app,
        operationId,
        "running",
        moved,
        { status: "succeeded" },
        {
          log: [],
          event: (after) => appEvent(Events.AppDeployed, { app: appRef(after), operationId }, after, ""),
        },
      ),
    );
    const [event] = await outboxEvents(db, appId);
    expect(event?.payload.app).toMatchObject({ appId, hostId: "host-b", node: "pve9", vmid: moved.vmid });
  });

  it("settleAndRecord: an event that would not describe the row written rolls everything back", async () => {
    const { appId, operationId } = await deploying();
    const read = (await findAppById(db, appId))!;
    // Changed behind the settlement's back (nothing does so today while an operation holds the app).
    await db.updateTable("apps").set({ node: "pve7" }).where("id", "=", appId).execute();
    const settling = db.transaction().execute((trx) =>
      settleAndRecord(
        trx,
        read,
        operationId,
        "error",
        { status_message: "x" },
        { status: "failed", reason: "x" },
        {
          log: [{ level: "error", step: "failed", message: "x" }],
          event: (after) =>
            appEvent(
              Events.AppOperationFailed,
              { app: appRef(after), operationId, operation: "deploy", reason: "x", status: "error" },
              after,
              "",
            ),
        },
      ),
    );
    await expect(settling).rejects.toThrow(/node is pve7, but its event says pve1/);
    expect(await findAppById(db, appId)).toMatchObject({
      status: "deploying",
      current_operation_id: operationId,
    });
    expect(await findOperation(db, operationId)).toMatchObject({ status: "running" });
    expect(await recordedFor(appId)).toEqual({ lines: [], events: [] });
  });

  it("a result finds its operation current while it runs on its app", async () => {
    const { appId, operationId } = await deploying();
    const current = await db
      .transaction()
      .execute((trx) => currentOperation(trx, operationId, testLogger("applications")));
    expect(current?.op).toMatchObject({ id: operationId, app_id: appId, kind: "deploy", status: "running" });
    expect(current?.app).toMatchObject({ id: appId, status: "deploying", current_operation_id: operationId });
  });
});
