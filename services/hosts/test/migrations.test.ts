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

const ALL = [
  "0001_initial",
  "0002_host_checks",
  "0003_tls_ca_and_tofu",
  "0004_backup_storage",
  "0005_host_audit",
  "0006_host_trust_audit",
];

describe("hosts migrations", () => {
  it("migrations - up creates the tables, down removes them, up again works", async () => {
    const options = { schema: "hosts", migrations: hostsMigrations };
    expect(await migrateToLatest(db, options)).toEqual(ALL);
    expect(await tablesIn(db, "hosts")).toEqual([
      "host_audit",
      "host_trust_audit",
      "hosts",
      "inbox",
      "nodes",
      "outbox",
    ]);
    expect(await migrateDown(db, { ...options, all: true })).toEqual([...ALL].reverse());
    expect(await tablesIn(db, "hosts")).toEqual([]);
    expect(await migrateToLatest(db, options)).toEqual(ALL);
  });

  it("migrations - 0006 records every change of a host's or node's trust in host_trust_audit, direct SQL included; down removes it", async () => {
    const options = { schema: "hosts", migrations: hostsMigrations };
    const id = "00000000-0000-4000-8000-000000000006";
    await sql`insert into hosts.hosts (id, name, address, port, auth_mode, username, ssh_username,
      api_secret_name, ssh_secret_name) values (${id}, 'h6', '10.0.0.6', 8006, 'api_token', 'u@pam!t',
      'root', 'a', 's')`.execute(db);
    await sql`insert into hosts.nodes (host_id, name, ssh_host, ssh_port, ssh_host_key_fingerprint)
      values (${id}, 'pve1', '10.0.0.6', 22, 'SHA256:old')`.execute(db);
    // Neither the status nor the stats are about trust: not recorded.
    await sql`update hosts.hosts set status = 'reachable', updated_at = now() where id = ${id}`.execute(db);
    await sql`update hosts.nodes set cpu = 0.5 where host_id = ${id}`.execute(db);
    // The actor is only what a transaction declares (set_config local to it).
    await db.transaction().execute(async (trx) => {
      await sql`select set_config('proximity.actor', 'admin-9', true)`.execute(trx);
      await sql`update hosts.hosts set address = 'evil.example' where id = ${id}`.execute(trx);
    });
    await sql`update hosts.nodes set ssh_host_key_fingerprint = 'SHA256:evil' where host_id = ${id}`.execute(
      db,
    );
    await sql`delete from hosts.hosts where id = ${id}`.execute(db);
    const { rows } = await sql<{
      table_name: string;
      operation: string;
      node_name: string | null;
      actor: string | null;
      db_user: string;
      before: Record<string, unknown> | null;
      after: Record<string, unknown> | null;
    }>`select table_name, operation, node_name, actor, db_user, before, after
      from hosts.host_trust_audit where host_id = ${id} order by id`.execute(db);
    expect(rows.map((r) => [r.table_name, r.operation, r.node_name, r.actor])).toEqual([
      ["hosts", "INSERT", null, null],
      ["nodes", "INSERT", "pve1", null],
      ["hosts", "UPDATE", null, "admin-9"],
      ["nodes", "UPDATE", "pve1", null],
      // The delete cascades to the node: both recorded.
      ["hosts", "DELETE", null, null],
      ["nodes", "DELETE", "pve1", null],
    ]);
    expect(rows[2]).toMatchObject({
      db_user: "postgres",
      before: { address: "10.0.0.6", api_secret_name: "a", tls_ca_pem_sha256: null },
      after: { address: "evil.example", api_secret_name: "a" },
    });
    expect(rows[3]).toMatchObject({
      before: { ssh_host_key_fingerprint: "SHA256:old" },
      after: { ssh_host_key_fingerprint: "SHA256:evil" },
    });
    expect(rows[4]).toMatchObject({ after: null });
    // Written by its triggers only, and never rewritten.
    for (const statement of [
      sql`insert into hosts.host_trust_audit (tx_id, db_user, table_name, operation, host_id)
        values (1, 'me', 'hosts', 'UPDATE', ${id})`,
      sql`update hosts.host_trust_audit set actor = 'someone else'`,
      sql`delete from hosts.host_trust_audit`,
      sql`truncate hosts.host_trust_audit`,
    ])
      await expect(statement.execute(db)).rejects.toThrow(
        /host_trust_audit is (written by its triggers only|append-only)/,
      );
    expect(await migrateDown(db, options)).toEqual(["0006_host_trust_audit"]);
    expect(await tablesIn(db, "hosts")).not.toContain("host_trust_audit");
    await sql`update hosts.hosts set address = 'x'`.execute(db);
    expect(await migrateToLatest(db, options)).toEqual(["0006_host_trust_audit"]);
  });

  it("migrations - 0005 adds host_audit, which refuses updates, deletes and truncation; down removes it", async () => {
    const options = { schema: "hosts", migrations: hostsMigrations };
    await sql`insert into hosts.host_audit (host_id, host_name, action, actor, trace_id)
      values ('00000000-0000-4000-8000-000000000001', 'h', 'created', 'admin-1', '')`.execute(db);
    for (const statement of [
      sql`update hosts.host_audit set actor = 'someone else'`,
      sql`delete from hosts.host_audit`,
      sql`truncate hosts.host_audit`,
    ])
      await expect(statement.execute(db)).rejects.toThrow(/host_audit is append-only/);
    const { rows } = await sql<{ actor: string }>`select actor from hosts.host_audit`.execute(db);
    expect(rows).toEqual([{ actor: "admin-1" }]);
    expect(await migrateDown(db, options)).toEqual(["0006_host_trust_audit"]);
    expect(await migrateDown(db, options)).toEqual(["0005_host_audit"]);
    expect(await tablesIn(db, "hosts")).not.toContain("host_audit");
    expect(await migrateToLatest(db, options)).toEqual(["0005_host_audit", "0006_host_trust_audit"]);
  });

  it("migrations - 0004 adds backup_storage (existing hosts get 'local'); down removes it", async () => {
    const options = { schema: "hosts", migrations: hostsMigrations };
    expect(await migrateDown(db, options)).toEqual(["0006_host_trust_audit"]);
    expect(await migrateDown(db, options)).toEqual(["0005_host_audit"]);
    expect(await migrateDown(db, options)).toEqual(["0004_backup_storage"]);
    await sql`insert into hosts.hosts (id, name, address, port, auth_mode, username, ssh_username,
      api_secret_name, ssh_secret_name) values ('00000000-0000-4000-8000-000000000001', 'old', 'h', 8006,
      'api_token', 'u@pam!t', 'root', 'a', 's')`.execute(db);
    expect(await migrateToLatest(db, options)).toEqual([
      "0004_backup_storage",
      "0005_host_audit",
      "0006_host_trust_audit",
    ]);
    const { rows } = await sql<{ backup_storage: string }>`select backup_storage from hosts.hosts`.execute(
      db,
    );
    expect(rows).toEqual([{ backup_storage: "local" }]);
    const before = await columnsOf("hosts");
    expect(await migrateDown(db, options)).toEqual(["0006_host_trust_audit"]);
    expect(await migrateDown(db, options)).toEqual(["0005_host_audit"]);
    expect(await migrateDown(db, options)).toEqual(["0004_backup_storage"]);
    expect(await columnsOf("hosts")).toEqual(before.filter((c) => c !== "backup_storage"));
    await sql`delete from hosts.hosts`.execute(db);
    expect(await migrateToLatest(db, options)).toEqual([
      "0004_backup_storage",
      "0005_host_audit",
      "0006_host_trust_audit",
    ]);
  });

  it("migrations - 0003 adds the TLS CA and trust-on-first-use columns; down removes exactly those", async () => {
    const options = { schema: "hosts", migrations: hostsMigrations };
    expect(await columnsOf("hosts")).toContain("tls_ca_pem");
    expect(await columnsOf("nodes")).toContain("trust_on_first_use");
    expect(await migrateDown(db, options)).toEqual(["0006_host_trust_audit"]);
    expect(await migrateDown(db, options)).toEqual(["0005_host_audit"]);
    expect(await migrateDown(db, options)).toEqual(["0004_backup_storage"]);
    const before = { hosts: await columnsOf("hosts"), nodes: await columnsOf("nodes") };
    expect(await migrateDown(db, options)).toEqual(["0003_tls_ca_and_tofu"]);
    expect(await columnsOf("hosts")).toEqual(before.hosts.filter((c) => c !== "tls_ca_pem"));
    expect(await columnsOf("nodes")).toEqual(before.nodes.filter((c) => c !== "trust_on_first_use"));
    expect(await migrateToLatest(db, options)).toEqual([
      "0003_tls_ca_and_tofu",
      "0004_backup_storage",
      "0005_host_audit",
      "0006_host_trust_audit",
    ]);
  });

  it("migrations - 0002 adds the check columns and its down removes exactly those", async () => {
    const options = { schema: "hosts", migrations: hostsMigrations };
    expect(await migrateDown(db, options)).toEqual(["0006_host_trust_audit"]);
    expect(await migrateDown(db, options)).toEqual(["0005_host_audit"]);
    expect(await migrateDown(db, options)).toEqual(["0004_backup_storage"]);
    expect(await migrateDown(db, options)).toEqual(["0003_tls_ca_and_tofu"]);
    const checkColumns = ["last_check_error", "last_checked_at", "next_check_at", "pve_version"];
    expect((await columnsOf("hosts")).filter((c) => checkColumns.includes(c))).toEqual(checkColumns);
    expect(await migrateDown(db, options)).toEqual(["0002_host_checks"]);
    expect((await columnsOf("hosts")).filter((c) => checkColumns.includes(c))).toEqual([]);
    expect(await columnsOf("nodes")).not.toContain("uptime_seconds");
    expect(await migrateToLatest(db, options)).toEqual([
      "0002_host_checks",
      "0003_tls_ca_and_tofu",
      "0004_backup_storage",
      "0005_host_audit",
      "0006_host_trust_audit",
    ]);
  });
});

async function columnsOf(table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select column_name as name from information_schema.columns
    where table_schema = 'hosts' and table_name = ${table} order by column_name`.execute(db);
  return rows.map((r) => r.name);
}
