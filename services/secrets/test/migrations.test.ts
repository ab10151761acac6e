import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { createTestDatabase } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { secretsMigrations } from "../src/index.js";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Kysely<unknown>;
const tables = async () =>
  (
    await sql<{ t: string }>`select table_name as t from information_schema.tables
     where table_schema = 'secrets' and table_name not like 'kysely_%' order by 1`.execute(db)
  ).rows.map((r) => r.t);

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabase({ url: database.url, schema: "secrets" });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe("secrets migrations", () => {
  it("migrations - up creates the tables, down removes them, up again works", async () => {
    const options = { schema: "secrets", migrations: secretsMigrations };
    expect(await migrateToLatest(db, options)).toEqual(["0001_initial"]);
    expect(await tables()).toEqual(["access_audit", "secret_versions", "secrets"]);
    expect(await migrateDown(db, { ...options, all: true })).toEqual(["0001_initial"]);
    expect(await tables()).toEqual([]);
    expect(await migrateToLatest(db, options)).toEqual(["0001_initial"]);
  });
});
