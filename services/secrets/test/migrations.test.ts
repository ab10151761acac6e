import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { createTestDatabase, tablesIn } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
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

const ALL = ["0001_initial", "0002_admin_audit_actions", "0003_audit_trace_and_operation"];

describe("secrets migrations", () => {
  it("migrations - up creates the tables, down removes them, up again works", async () => {
    const options = { schema: "secrets", migrations: secretsMigrations };
    expect(await migrateToLatest(db, options)).toEqual(ALL);
    expect(await tablesIn(db, "secrets")).toEqual(["access_audit", "secret_versions", "secrets"]);
    expect(await migrateDown(db, { ...options, all: true })).toEqual([...ALL].reverse());
    expect(await tablesIn(db, "secrets")).toEqual([]);
    expect(await migrateToLatest(db, options)).toEqual(ALL);
  });

  it("migrations - 0003 adds trace and operation ids and makes the audit append-only; down undoes exactly that", async () => {
    const options = { schema: "secrets", migrations: secretsMigrations };
    const columns = async () =>
      (
        await sql<{ name: string }>`select column_name as name from information_schema.columns
          where table_schema = 'secrets' and table_name = 'access_audit' order by column_name`.execute(db)
      ).rows.map((r) => r.name);
    expect(await migrateDown(db, options)).toEqual(["0003_audit_trace_and_operation"]);
    const before = await columns();
    await sql`insert into secrets.access_audit (caller, action, secret_name, allowed, reason)
      values ('hosts', 'put', 'x', true, 'old row')`.execute(db);
    expect(await migrateToLatest(db, options)).toEqual(["0003_audit_trace_and_operation"]);
    expect(await columns()).toEqual([...before, "operation_id", "trace_id"].sort());
    const { rows } = await sql`select trace_id, operation_id from secrets.access_audit`.execute(db);
    expect(rows).toEqual([{ trace_id: "", operation_id: null }]);
    await expect(sql`delete from secrets.access_audit`.execute(db)).rejects.toThrow(/append-only/);
    expect(await migrateDown(db, options)).toEqual(["0003_audit_trace_and_operation"]);
    expect(await columns()).toEqual(before);
    await sql`delete from secrets.access_audit`.execute(db);
    expect(await migrateToLatest(db, options)).toEqual(["0003_audit_trace_and_operation"]);
  });
});
