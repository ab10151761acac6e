import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { createTestDatabase, tablesIn } from "@proximity/testing";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostsMigrations } from "../src/index.js";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Kysely<unknown>;

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
    expect(await tablesIn(db, "hosts")).toEqual(["hosts", "inbox", "nodes", "outbox"]);
    expect(await migrateDown(db, { ...options, all: true })).toEqual(["0001_initial"]);
    expect(await tablesIn(db, "hosts")).toEqual([]);
    expect(await migrateToLatest(db, options)).toEqual(["0001_initial"]);
  });
});
