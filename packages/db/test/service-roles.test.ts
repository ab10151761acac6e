import { randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  createAppendOnlyGuard,
  createDatabase,
  type MigrationSet,
  migrateToLatest,
  prepareSchema,
  SchemaOutdatedError,
  type ServiceDatabaseAccess,
  type ServiceSchemaPlan,
  setupServiceDatabases,
  withCredentials,
} from "../src/index.js";

// Two made-up services on a database and role prefix of their own (roles are cluster-wide: they
// are dropped with the database at the end).
const prefix = `t${randomBytes(4).toString("hex")}`;
const database = `proximity_roles_${prefix}`;
const serverUrl = inject("databaseUrl");
const adminUrl = (() => {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
})();

const alphaMigrations: MigrationSet = {
  "0001_items": {
    async up(db) {
      await sql`create table items (id bigserial primary key, name text not null)`.execute(db);
      await sql`create table alpha_audit (id bigserial primary key, at timestamptz not null default now(), what text not null)`.execute(
        db,
      );
      await sql`create table alpha_events (id bigserial primary key, at timestamptz not null default now(), what text not null)`.execute(
        db,
      );
      await createAppendOnlyGuard(db, { table: "alpha_events", keep: { column: "at", interval: "90 days" } });
    },
  },
};
const alpha: ServiceSchemaPlan = {
  schema: "alpha",
  migrations: alphaMigrations,
  appendOnly: ["alpha_audit"],
  prunable: ["alpha_events"],
};
const beta: ServiceSchemaPlan = {
  schema: "beta",
  migrations: {
    "0001_vault": {
      async up(db) {
        await sql`create table vault (name text primary key, value text not null)`.execute(db);
      },
    },
  },
};
// Migrated by a superuser before roles existed (how every schema was made until now).
const legacy: ServiceSchemaPlan = {
  schema: "legacy",
  migrations: {
    "0001_things": {
      async up(db) {
        await sql`create table things (id bigserial primary key, label text not null)`.execute(db);
        await sql`create function legacy_label(t things) returns text language sql as 'select t.label'`.execute(
          db,
        );
      },
    },
  },
};

let access: Map<string, ServiceDatabaseAccess>;
const clients: pg.Client[] = [];

/** A session as the runtime role of `schema` (the test server trusts local logins; rights still apply). */
async function runtime(schema: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: access.get(schema)!.runtimeUrl,
    options: `-c search_path=${schema}`,
  });
  await client.connect();
  clients.push(client);
  return client;
}

/** The SQLSTATE a statement fails with ("ok" when it does not). */
async function outcome(client: pg.Client, statement: string): Promise<string> {
  try {
    await client.query(statement);
    return "ok";
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

async function admin<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(serverUrl, (c) => c.query(`create database ${database}`));
  const superuser = createDatabase<unknown>({ url: adminUrl, schema: "legacy" });
  await migrateToLatest(superuser, { schema: "legacy", migrations: legacy.migrations });
  await superuser.destroy();
  const done = await setupServiceDatabases({ adminUrl, rolePrefix: prefix, services: [alpha, beta, legacy] });
  access = new Map(done.map((a) => [a.schema, a]));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => {})));
  await admin(serverUrl, async (c) => {
    await c.query(`drop database if exists ${database} with (force)`);
    const roles = await c.query<{ rolname: string }>("select rolname from pg_roles where rolname like $1", [
      `${prefix}\\_%`,
    ]);
    for (const r of roles.rows) await c.query(`drop role "${r.rolname}"`);
  });
});

describe("service roles", () => {
  it("service roles - the runtime role reads and writes the rows of its own tables", async () => {
    const a = await runtime("alpha");
    await a.query("insert into items (name) values ('one'), ('two')");
    await a.query("update items set name = 'uno' where name = 'one'");
    await a.query("delete from items where name = 'two'");
    expect((await a.query("select name from items")).rows).toEqual([{ name: "uno" }]);
  });

  it("service roles - a service's runtime role can neither read nor write another service's schema", async () => {
    const a = await runtime("alpha");
    const b = await runtime("beta");
    await b.query("insert into vault values ('k', 'v')");
    expect(await outcome(a, "select * from beta.vault")).toBe("42501");
    expect(await outcome(a, "insert into beta.vault values ('x', 'y')")).toBe("42501");
    expect(await outcome(a, "delete from beta.vault")).toBe("42501");
    expect(await outcome(b, "select * from alpha.items")).toBe("42501");
    expect(await outcome(b, "select * from alpha.alpha_audit")).toBe("42501");
  });

  it("service roles - audit rows can be appended and read, never updated, deleted or truncated", async () => {
    const a = await runtime("alpha");
    await a.query("insert into alpha_audit (what) values ('login')");
    expect((await a.query("select what from alpha_audit")).rows).toEqual([{ what: "login" }]);
    expect(await outcome(a, "update alpha_audit set what = 'nothing'")).toBe("42501");
    expect(await outcome(a, "delete from alpha_audit")).toBe("42501");
    expect(await outcome(a, "truncate alpha_audit")).toBe("42501");
    expect((await a.query("select what from alpha_audit")).rows).toEqual([{ what: "login" }]);
  });

  it("service roles - a prunable trail loses only rows past its retention", async () => {
    const a = await runtime("alpha");
    await a.query(
      "insert into alpha_events (what, at) values ('old', now() - interval '91 days'), ('new', now())",
    );
    expect(await outcome(a, "delete from alpha_events")).toBe("42501"); // the recent row stops the whole statement
    expect(await outcome(a, "update alpha_events set what = 'x'")).toBe("42501");
    expect(await outcome(a, "truncate alpha_events")).toBe("42501");
    await a.query("delete from alpha_events where at < now() - interval '90 days'");
    expect((await a.query("select what from alpha_events")).rows).toEqual([{ what: "new" }]);
  });

  it("service roles - the runtime role cannot change any schema, nor create objects anywhere", async () => {
    const a = await runtime("alpha");
    expect(await outcome(a, "alter table items add column extra text")).toBe("42501");
    expect(await outcome(a, "drop table items")).toBe("42501");
    expect(await outcome(a, "drop table alpha_audit")).toBe("42501");
    expect(await outcome(a, "create table alpha.sneaky (x int)")).toBe("42501");
    expect(await outcome(a, "create table public.sneaky (x int)")).toBe("42501");
    expect(await outcome(a, "create temporary table sneaky (x int)")).toBe("42501");
    expect(await outcome(a, "create schema sneaky")).toBe("42501");
    expect(await outcome(a, "create role sneaky")).toBe("42501");
    expect(await outcome(a, "drop trigger alpha_events_retention_guard on alpha_events")).toBe("42501");
  });

  it("service roles - the migration bookkeeping is readable (version check) but not writable", async () => {
    const a = await runtime("alpha");
    expect((await a.query("select name from kysely_migration")).rows).toEqual([{ name: "0001_items" }]);
    expect(await outcome(a, "insert into kysely_migration values ('9999_fake', now())")).toBe("42501");
    expect(await outcome(a, "delete from kysely_migration")).toBe("42501");
    expect(await outcome(a, "update kysely_migration_lock set is_locked = 1")).toBe("42501");
  });

  it("service roles - a schema migrated by a superuser before is handed to its owner and served the same way", async () => {
    const owners = await admin(adminUrl, (c) =>
      c.query<{ owner: string }>(
        `select distinct pg_get_userbyid(c.relowner) as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'legacy' union select pg_get_userbyid(nspowner) from pg_namespace where nspname = 'legacy'
         union select pg_get_userbyid(proowner) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'legacy'`,
      ),
    );
    expect(owners.rows).toEqual([{ owner: `${prefix}_legacy_owner` }]);
    const l = await runtime("legacy");
    await l.query("insert into things (label) values ('kept')");
    expect((await l.query("select label from things")).rows).toEqual([{ label: "kept" }]);
  });

  it("service roles - roles have no attribute beyond login, and the password is stored as a SCRAM verifier", async () => {
    const roles = await admin(adminUrl, (c) =>
      c.query(
        `select rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolbypassrls, rolreplication,
                left(rolpassword, 19) as password
         from pg_authid where rolname like $1 order by rolname`,
        [`${prefix}\\_alpha%`],
      ),
    );
    const fixed = {
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolbypassrls: false,
      rolreplication: false,
    };
    expect(roles.rows).toEqual([
      { rolname: `${prefix}_alpha_owner`, ...fixed, rolcanlogin: false, password: null },
      { rolname: `${prefix}_alpha_runtime`, ...fixed, rolcanlogin: true, password: "SCRAM-SHA-256$4096:" },
    ]);
  });

  it("service roles - setup again is idempotent: kept passwords, nothing applied, same rights", async () => {
    const passwords = Object.fromEntries([...access.values()].map((a) => [a.schema, a.password]));
    const again = await setupServiceDatabases({
      adminUrl,
      rolePrefix: prefix,
      services: [alpha, beta, legacy],
      passwords,
    });
    expect(again.map((a) => [a.schema, a.applied.length, a.password])).toEqual(
      [...access.values()].map((a) => [a.schema, 0, a.password]),
    );
    const a = await runtime("alpha");
    expect(await outcome(a, "update alpha_audit set what = 'nothing'")).toBe("42501");
    expect(await outcome(a, "select * from beta.vault")).toBe("42501");
    expect(await outcome(a, "insert into items (name) values ('three')")).toBe("ok");
  });

  it("service roles - a service that does not migrate refuses a schema lacking its migrations", async () => {
    const url = access.get("alpha")!.runtimeUrl;
    const db: Kysely<unknown> = createDatabase({ url, schema: "alpha" });
    try {
      await expect(
        prepareSchema(db, { schema: "alpha", migrations: alphaMigrations, migrate: false }),
      ).resolves.toEqual([]);
      const newer: MigrationSet = {
        ...alphaMigrations,
        "0002_more": { up: async (d) => void (await sql`create table more (x int)`.execute(d)) },
      };
      const refused = prepareSchema(db, { schema: "alpha", migrations: newer, migrate: false });
      await expect(refused).rejects.toBeInstanceOf(SchemaOutdatedError);
      await expect(refused).rejects.toThrow(
        /schema alpha lacks 1 migration\(s\) of this version \(0002_more\)/,
      );
      // Nor can it migrate, even when told to: the runtime role may not create tables.
      await expect(prepareSchema(db, { schema: "alpha", migrations: newer, migrate: true })).rejects.toThrow(
        /migration 0002_more failed/,
      );
    } finally {
      await db.destroy();
    }
  });

  it("service roles - a never-migrated schema is refused the same way", async () => {
    const db: Kysely<unknown> = createDatabase({
      url: withCredentials(adminUrl, "postgres", ""),
      schema: "nothing",
    });
    try {
      await expect(
        prepareSchema(db, { schema: "nothing", migrations: alphaMigrations, migrate: false }),
      ).rejects.toThrow(/schema nothing lacks 1 migration\(s\)/);
    } finally {
      await db.destroy();
    }
  });
});
