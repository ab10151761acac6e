import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { createTestDatabase, tablesIn } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
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

const ALL = ["0001_initial", "0002_host_checks", "0003_tls_ca_and_tofu"];

describe("hosts migrations", () => {
  it("migrations - up creates the tables, down removes them, up again works", async () => {
    const options = { schema: "hosts", migrations: hostsMigrations };
    expect(await migrateToLatest(db, options)).toEqual(ALL);
    expect(await tablesIn(db, "hosts")).toEqual(["hosts", "inbox", "nodes", "outbox"]);
    expect(await migrateDown(db, { ...options, all: true })).toEqual([...ALL].reverse());
    expect(await tablesIn(db, "hosts")).toEqual([]);
    expect(await migrateToLatest(db, options)).toEqual(ALL);
  });

  it("migrations - 0003 adds the TLS CA and trust-on-first-use columns; down removes exactly those", async () => {
    const options = { schema: "hosts", migrations: hostsMigrations };
    expect(await columnsOf("hosts")).toContain("tls_ca_pem");
    expect(await columnsOf("nodes")).toContain("trust_on_first_use");
    const before = { hosts: await columnsOf("hosts"), nodes: await columnsOf("nodes") };
    expect(await migrateDown(db, options)).toEqual(["0003_tls_ca_and_tofu"]);
    expect(await columnsOf("hosts")).toEqual(before.hosts.filter((c) => c !== "tls_ca_pem"));
    expect(await columnsOf("nodes")).toEqual(before.nodes.filter((c) => c !== "trust_on_first_use"));
    expect(await migrateToLatest(db, options)).toEqual(["0003_tls_ca_and_tofu"]);
  });

  it("migrations - 0002 adds the check columns and its down removes exactly those", async () => {
    const options = { schema: "hosts", migrations: hostsMigrations };
    expect(await migrateDown(db, options)).toEqual(["0003_tls_ca_and_tofu"]);
    const checkColumns = ["last_check_error", "last_checked_at", "next_check_at", "pve_version"];
    expect((await columnsOf("hosts")).filter((c) => checkColumns.includes(c))).toEqual(checkColumns);
    expect(await migrateDown(db, options)).toEqual(["0002_host_checks"]);
    expect((await columnsOf("hosts")).filter((c) => checkColumns.includes(c))).toEqual([]);
    expect(await columnsOf("nodes")).not.toContain("uptime_seconds");
    expect(await migrateToLatest(db, options)).toEqual(["0002_host_checks", "0003_tls_ca_and_tofu"]);
  });
});

async function columnsOf(table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select column_name as name from information_schema.columns
    where table_schema = 'hosts' and table_name = ${table} order by column_name`.execute(db);
  return rows.map((r) => r.name);
}
