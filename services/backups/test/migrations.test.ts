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
    const all = [
      "0001_initial",
      "0002_app_owners",
      "0003_backups",
      "0004_policy_schedules",
      "0005_app_names",
    ];
    expect(await migrateToLatest(db, options)).toEqual(all);
    expect(await tablesIn(db, "backups")).toEqual(ALL_TABLES);
    expect(await migrateDown(db, options)).toEqual(["0005_app_names"]);
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
    expect(await migrateDown(db, options)).toEqual(["0005_app_names"]);
    expect(await migrateDown(db, options)).toEqual(["0004_policy_schedules"]);
    await expect(sql`update backups.backup_policies set keep_last = 0`.execute(db)).rejects.toThrow(/check/);
    await migrateToLatest(db, options);
  });

  it("0005 - app owners gain an app's names: rows of before keep their owner and state, unnamed until their app's next event", async () => {
    const options = { schema: "backups", migrations: backupsMigrations };
    await migrateDown(db, { ...options, all: true });
    const { "0005_app_names": _names, ...before } = backupsMigrations;
    await migrateToLatest(db, { ...options, migrations: before });
    await sql`insert into backups.app_owners (app_id, owner_id, deleted_at) values ('live', 'u1', null), ('gone', 'u1', now())`.execute(
      db,
    );
    expect(await migrateToLatest(db, options)).toEqual(["0005_app_names"]);
    const { rows } = await sql<Record<string, unknown>>`
      select app_id, owner_id, deleted_at is not null as deleted, hostname, catalog_id
      from backups.app_owners order by app_id`.execute(db);
    expect(rows).toEqual([
      { app_id: "gone", owner_id: "u1", deleted: true, hostname: null, catalog_id: null },
      { app_id: "live", owner_id: "u1", deleted: false, hostname: null, catalog_id: null },
    ]);
    await sql`update backups.app_owners set hostname = 'wiki', catalog_id = 'wikijs' where app_id = 'live'`.execute(
      db,
    );
    await migrateDown(db, options);
    const { rows: columns } = await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where table_schema = 'backups' and table_name = 'app_owners' order by column_name`.execute(db);
    expect(columns.map((c) => c.column_name)).toEqual(["app_id", "deleted_at", "owner_id", "updated_at"]);
    await migrateToLatest(db, options);
  });
});
