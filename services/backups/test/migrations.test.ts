import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { createTestDatabase } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backupsMigrations } from "../src/index.js";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Kysely<unknown>;
const tables = async () =>
  (
    await sql<{ t: string }>`select table_name as t from information_schema.tables
     where table_schema = 'backups' and table_name not like 'kysely_%' order by 1`.execute(db)
  ).rows.map((r) => r.t);

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase({ url: database.url, schema: "backups" });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe("backups migrations", () => {
  it("migrations - up creates the tables, down removes them, up again works", async () => {
    const options = { schema: "backups", migrations: backupsMigrations };
    expect(await migrateToLatest(db, options)).toEqual(["0001_initial"]);
    expect(await tables()).toEqual(["backup_policies", "inbox", "outbox"]);
    expect(await migrateDown(db, { ...options, all: true })).toEqual(["0001_initial"]);
    expect(await tables()).toEqual([]);
    expect(await migrateToLatest(db, options)).toEqual(["0001_initial"]);
  });
});
