import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { createTestDatabase, tablesIn } from "@proximity/testing";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { secretsMigrations } from "../src/index.js";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Kysely<unknown>;

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
    expect(await migrateToLatest(db, options)).toEqual(["0001_initial", "0002_admin_audit_actions"]);
    expect(await tablesIn(db, "secrets")).toEqual(["access_audit", "secret_versions", "secrets"]);
    expect(await migrateDown(db, { ...options, all: true })).toEqual([
      "0002_admin_audit_actions",
      "0001_initial",
    ]);
    expect(await tablesIn(db, "secrets")).toEqual([]);
    expect(await migrateToLatest(db, options)).toEqual(["0001_initial", "0002_admin_audit_actions"]);
  });
});
