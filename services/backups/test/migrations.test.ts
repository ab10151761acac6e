import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { createTestDatabase, tablesIn } from "@proximity/testing";
import type { Kysely } from "kysely";
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

describe("backups migrations", () => {
  it("migrations - up creates the tables, down removes them, up again works", async () => {
    const options = { schema: "backups", migrations: backupsMigrations };
    const all = ["0001_initial", "0002_app_owners"];
    expect(await migrateToLatest(db, options)).toEqual(all);
    expect(await tablesIn(db, "backups")).toEqual(["app_owners", "backup_policies", "inbox", "outbox"]);
    expect(await migrateDown(db, options)).toEqual(["0002_app_owners"]);
    expect(await tablesIn(db, "backups")).toEqual(["backup_policies", "inbox", "outbox"]);
    expect(await migrateDown(db, { ...options, all: true })).toEqual(["0001_initial"]);
    expect(await tablesIn(db, "backups")).toEqual([]);
    expect(await migrateToLatest(db, options)).toEqual(all);
  });
});
