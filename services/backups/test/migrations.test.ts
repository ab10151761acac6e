import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { createTestDatabase, tablesIn } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backupsMigrations } from "../src/index.js";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Kysely<unknown>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase({ url: database.url, schema: "backups" });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const ALL_TABLES = [
  "app_owners",
  "backup_policies",
  "backups",
  "inbox",
  "outbox",
  "restores",
  "storage_observations",
];

describe("backups migrations", () => {
  it("migrations - up creates the tables, down removes them step by step, up again works", async () => {
    const options = { schema: "backups", migrations: backupsMigrations };
    const all = ["0001_initial", "0002_app_owners", "0003_backups", "0004_policy_schedules"];
    expect(await migrateToLatest(db, options)).toEqual(all);
    expect(await tablesIn(db, "backups")).toEqual(ALL_TABLES);
    expect(await migrateDown(db, options)).toEqual(["0004_policy_schedules"]);
    expect(await migrateDown(db, options)).toEqual(["0003_backups"]);
    expect(await tablesIn(db, "backups")).toEqual(["app_owners", "backup_policies", "inbox", "outbox"]);
    expect(await migrateDown(db, options)).toEqual(["0002_app_owners"]);
    expect(await migrateDown(db, { ...options, all: true })).toEqual(["0001_initial"]);
    expect(await tablesIn(db, "backups")).toEqual([]);
    expect(await migrateToLatest(db, options)).toEqual(all);
  });

  it("0004 - a policy of 0001 keeps its values, gains the defaults, and may keep 0 now; down restores keep_last > 0", async () => {
    const options = { schema: "backups", migrations: backupsMigrations };
    await migrateDown(db, { ...options, all: true });
    await migrateToLatest(db, {
      ...options,
      migrations: { "0001_initial": backupsMigrations["0001_initial"]! },
    });
    await sql`insert into backups.backup_policies (app_id, enabled, schedule, keep_last) values ('a1', false, '0 3 * * *', 7)`.execute(
      db,
    );
    await migrateToLatest(db, options);
    const { rows } = await sql<Record<string, unknown>>`select * from backups.backup_policies`.execute(db);
    expect(rows).toEqual([
      expect.objectContaining({
        app_id: "a1",
        keep_last: 7,
        keep_daily: 0,
        keep_yearly: 0,
        time_zone: "UTC",
        mode: "snapshot",
        compression: "zstd",
        next_run_at: null,
      }),
    ]);
    await sql`update backups.backup_policies set keep_last = 0`.execute(db);
    await expect(sql`update backups.backup_policies set keep_daily = -1`.execute(db)).rejects.toThrow(
      /check/,
    );
    await expect(
      sql`update backups.backup_policies set next_run_at = now(), enabled = false`.execute(db),
    ).rejects.toThrow(/check/);
    await migrateDown(db, options);
    await expect(sql`update backups.backup_policies set keep_last = 0`.execute(db)).rejects.toThrow(/check/);
    await migrateToLatest(db, options);
  });
});
