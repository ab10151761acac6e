import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { createTestDatabase } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostsMigrations } from "../src/index.js";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Kysely<unknown>;
const tables = async () =>
  (
    await sql<{ t: string }>`select table_name as t from information_schema.tables
     where table_schema = 'hosts' and table_name not like 'kysely_%' order by 1`.execute(db)
  ).rows.map((r) => r.t);

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase({ url: database.url, schema: "hosts" });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe("hosts migrations", () => {
  it("migrations - up creates the tables, down removes them, up again works", async () => {
    const options = { schema: "hosts", migrations: hostsMigrations };
    expect(await migrateToLatest(db, options)).toEqual(["0001_initial"]);
    expect(await tables()).toEqual(["hosts", "inbox", "nodes", "outbox"]);
    expect(await migrateDown(db, { ...options, all: true })).toEqual(["0001_initial"]);
    expect(await tables()).toEqual([]);
    expect(await migrateToLatest(db, options)).toEqual(["0001_initial"]);
  });
});
