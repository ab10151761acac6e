/**
 * How an app event records its app (recordAppOwnerOnce): owner, names and the default policy, once
 * per event id, in one statement without a transaction (one round trip per deployed app).
 */
import { randomUUID } from "node:crypto";
import { createDatabase, migrateToLatest } from "@proximity/db";
import { createTestDatabase } from "@proximity/testing";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AppFacts, markAppDeleted, recordAppOwnerOnce } from "../src/db/app-owner.repository.js";
import type { BackupsDatabase } from "../src/db/database.js";
import { APP_EVENTS_CONSUMER, backupsMigrations, DEFAULT_BACKUP_POLICY } from "../src/index.js";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Kysely<BackupsDatabase>;
/** Every statement `db` sent, BEGIN and COMMIT included (kysely logs each query of a connection). */
let statements: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const migrator = createDatabase({ url: database.url, schema: "backups" });
  await migrateToLatest(migrator, { schema: "backups", migrations: backupsMigrations });
  await migrator.destroy();
  const pool = new pg.Pool({ connectionString: database.url, options: "-c search_path=backups" });
  db = new Kysely<BackupsDatabase>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      statements.push(event.query.sql);
    },
  });
});

beforeEach(() => {
  statements = [];
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const appOf = (patch: Partial<AppFacts> = {}): AppFacts => ({
  appId: randomUUID(),
  ownerId: randomUUID(),
  hostname: "blog",
  catalogId: "wordpress",
  ...patch,
});

const record = (app: AppFacts, eventId = randomUUID()) =>
  recordAppOwnerOnce(db, { consumer: APP_EVENTS_CONSUMER, eventId }, app);

const ownerRow = (appId: string) =>
  db.selectFrom("app_owners").selectAll().where("app_id", "=", appId).executeTakeFirst();

const policyRow = (appId: string) =>
  db.selectFrom("backup_policies").selectAll().where("app_id", "=", appId).executeTakeFirst();

describe("recordAppOwnerOnce", () => {
  it("a first event records owner and names and gives the default policy, in one statement", async () => {
    const app = appOf();
    const eventId = randomUUID();
    expect(await record(app, eventId)).toEqual({
      processed: true,
      result: { policyCreated: true, deleted: false },
    });
    // One round trip: no BEGIN/COMMIT around it.
    expect(statements).toHaveLength(1);

    expect(await ownerRow(app.appId)).toMatchObject({
      owner_id: app.ownerId,
      hostname: "blog",
      catalog_id: "wordpress",
      deleted_at: null,
    });
    const d = DEFAULT_BACKUP_POLICY;
    expect(await policyRow(app.appId)).toMatchObject({
      enabled: d.enabled,
      schedule: d.schedule,
      time_zone: d.timeZone,
      mode: d.mode,
      compression: d.compression,
      keep_last: d.keepLast,
      keep_hourly: d.keepHourly,
      keep_daily: d.keepDaily,
      keep_weekly: d.keepWeekly,
      keep_monthly: d.keepMonthly,
      keep_yearly: d.keepYearly,
      next_run_at: null,
      last_run_at: null,
    });
    const inbox = await db.selectFrom("inbox").select("consumer").where("event_id", "=", eventId).execute();
    expect(inbox).toEqual([{ consumer: APP_EVENTS_CONSUMER }]);
  });

  it("a redelivery changes nothing: the owner another event set meanwhile stays", async () => {
    const app = appOf();
    const eventId = randomUUID();
    await record(app, eventId);
    const adopter = randomUUID();
    await record({ ...app, ownerId: adopter, hostname: "shop" });
    const before = await ownerRow(app.appId);
    await db.deleteFrom("backup_policies").where("app_id", "=", app.appId).execute();

    expect(await record(app, eventId)).toEqual({ processed: false });
    expect(await ownerRow(app.appId)).toEqual(before);
    expect(before).toMatchObject({ owner_id: adopter, hostname: "shop" });
    // Not even the default policy again.
    expect(await policyRow(app.appId)).toBeUndefined();
  });

  it("the same event delivered twice at once (two replicas): one records it", async () => {
    const app = appOf();
    const eventId = randomUUID();
    const outcomes = await Promise.all([record(app, eventId), record(app, eventId)]);
    expect(outcomes.map((o) => o.processed).sort()).toEqual([false, true]);
  });

  it("names not said keep the known ones; the owner is the event's", async () => {
    const app = appOf({ hostname: "wiki", catalogId: "wikijs" });
    await record(app);
    const before = await ownerRow(app.appId);
    const newOwner = randomUUID();
    expect(await record({ ...app, ownerId: newOwner, hostname: "", catalogId: "" })).toEqual({
      processed: true,
      result: { policyCreated: false, deleted: false },
    });
    const after = await ownerRow(app.appId);
    expect(after).toMatchObject({ owner_id: newOwner, hostname: "wiki", catalog_id: "wikijs" });
    expect(after!.updated_at.getTime()).toBeGreaterThan(before!.updated_at.getTime());
  });

  it("an existing policy is kept as its owner set it", async () => {
    const app = appOf();
    await record(app);
    await db
      .updateTable("backup_policies")
      .set({ enabled: true, keep_last: 2, schedule: "15 1 * * *" })
      .where("app_id", "=", app.appId)
      .execute();
    const before = await policyRow(app.appId);
    expect(await record(app)).toEqual({ processed: true, result: { policyCreated: false, deleted: false } });
    expect(await policyRow(app.appId)).toEqual(before);
  });

  it("an app deleted by a transaction committing while the record waits: no policy, still deleted", async () => {
    const app = appOf();
    await record(app); // known live, with a policy
    await db.deleteFrom("backup_policies").where("app_id", "=", app.appId).execute();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const deleting = db.transaction().execute(async (trx) => {
      await markAppDeleted(trx, app);
      await gate;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const recording = record(app); // waits on the owner's row
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await deleting;
    expect(await recording).toEqual({ processed: true, result: { policyCreated: false, deleted: true } });
    expect(await policyRow(app.appId)).toBeUndefined();
    expect((await ownerRow(app.appId))?.deleted_at).not.toBeNull();
  });

  it("a deleted app gets no policy and stays deleted", async () => {
    const app = appOf();
    // Its deletion arrived first (the app was never recorded live).
    await markAppDeleted(db, app);
    const { deleted_at } = (await ownerRow(app.appId))!;
    expect(deleted_at).not.toBeNull();

    expect(await record(app)).toEqual({ processed: true, result: { policyCreated: false, deleted: true } });
    expect(await policyRow(app.appId)).toBeUndefined();
    expect((await ownerRow(app.appId))?.deleted_at).toEqual(deleted_at);
  });
});
