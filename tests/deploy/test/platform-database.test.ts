import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDatabase, prepareSchema, SchemaOutdatedError } from "@proximity/db";
import { generateServiceKeys } from "@proximity/identity";
import { createSecretsService, loadSecretsConfig } from "@proximity/secrets";
import { createTestDatabase, testLogger, testServers, uniqueName } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupPlatformDatabase } from "../../../deploy/service-databases.js";
import { ServiceSchemas } from "../../../deploy/service-schemas.js";
import { pruneAuthEvents } from "../../../services/api-gateway/src/db/auth-event.repository.js";
import type { GatewayTables } from "../../../services/api-gateway/src/db/database.js";
import { recordAccess } from "../../../services/secrets/src/db/access-audit.repository.js";
import type { SecretsDatabase } from "../../../services/secrets/src/db/database.js";
import { secretsMigrations } from "../../../services/secrets/src/db/migrations/index.js";
import {
  deleteSecretVersions,
  findCurrentSecretVersion,
  insertSecretVersion,
  reserveNextVersion,
} from "../../../services/secrets/src/db/secret.repository.js";

// The platform's real schemas, set up the way compose's init and the dev runner do, in a database
// and under a role prefix of this file's own (roles are cluster-wide: dropped at the end).
const bundles = mkdtempSync(join(tmpdir(), "proximity-bundles-"));
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let files: Map<string, string>;
let prefix: string;
const opened: { end(): Promise<void> }[] = [];

const urlOf = (service: string) => readFileSync(files.get(service)!, "utf8").trim();
const roleOf = (schema: string) => `${prefix}_${schema}_runtime`;

async function asRuntime<DB>(service: string, schema: string): Promise<Kysely<DB>> {
  const db = createDatabase<DB>({ url: urlOf(service), schema });
  opened.push({ end: () => db.destroy() });
  return db;
}

async function asAdmin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** SQLSTATE of a failing statement ("ok" when it succeeds). */
async function outcome(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return "ok";
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  prefix = database.name;
  files = await setupPlatformDatabase({ adminUrl: database.url, bundlesDir: bundles });
});

afterAll(async () => {
  await Promise.all(opened.map((o) => o.end()));
  await database.drop();
  const admin = new pg.Client({ connectionString: testServers().databaseUrl });
  await admin.connect();
  const roles = await admin.query<{ rolname: string }>("select rolname from pg_roles where rolname like $1", [
    `${prefix}\\_%`,
  ]);
  for (const r of roles.rows) await admin.query(`drop role "${r.rolname}"`);
  await admin.end();
  rmSync(bundles, { recursive: true, force: true });
});

describe("platform database", () => {
  it("platform database - each service's URL, with its own runtime role, is in its own bundle, readable by its owner only", () => {
    expect([...files.keys()]).toEqual(ServiceSchemas.map((s) => s.service));
    for (const { service, schema } of ServiceSchemas) {
      expect(files.get(service)).toBe(join(bundles, service, "database-url"));
      expect(statSync(files.get(service)!).mode & 0o777).toBe(0o400);
      expect(decodeURIComponent(new URL(urlOf(service)).username)).toBe(roleOf(schema));
      expect(new URL(urlOf(service)).password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it("platform database - every schema and everything in it belongs to the schema's owner role", async () => {
    const owners = await asAdmin((c) =>
      c.query<{ schema: string; owner: string }>(
        `select n.nspname as schema, pg_get_userbyid(c.relowner) as owner from pg_class c
         join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1)
         union select nspname, pg_get_userbyid(nspowner) from pg_namespace where nspname = any($1)`,
        [ServiceSchemas.map((s) => s.schema)],
      ),
    );
    for (const row of owners.rows) expect(row.owner).toBe(`${prefix}_${row.schema}_owner`);
  });

  it("platform database - every audit trail of every schema is append-only for its runtime role", async () => {
    const trails = await asAdmin((c) =>
      c.query<{
        schema: string;
        name: string;
        select: boolean;
        insert: boolean;
        update: boolean;
        delete: boolean;
      }>(
        `select n.nspname as schema, c.relname as name,
           has_table_privilege($2 || n.nspname || '_runtime', c.oid, 'SELECT') as select,
           has_table_privilege($2 || n.nspname || '_runtime', c.oid, 'INSERT') as insert,
           has_table_privilege($2 || n.nspname || '_runtime', c.oid, 'UPDATE') as update,
           has_table_privilege($2 || n.nspname || '_runtime', c.oid, 'DELETE') as delete
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = any($1) and c.relkind = 'r' and (c.relname like '%audit%' or c.relname like '%\\_events')
         order by 1, 2`,
        [ServiceSchemas.map((s) => s.schema), `${prefix}_`],
      ),
    );
    expect(trails.rows.map((t) => `${t.schema}.${t.name}`)).toEqual([
      "gateway.auth_events",
      "gateway.request_audit",
      "hosts.host_audit",
      "hosts.host_trust_audit",
      "secrets.access_audit",
    ]);
    for (const trail of trails.rows) {
      const plan = ServiceSchemas.find((s) => s.schema === trail.schema)!;
      const prunable = plan.prunable?.includes(trail.name) ?? false;
      expect(prunable || (plan.appendOnly?.includes(trail.name) ?? false), `${trail.name} declared`).toBe(
        true,
      );
      expect(trail).toMatchObject({ select: true, insert: true, update: false, delete: prunable });
    }
  });

  it("platform database - no service's runtime role reaches another service's schema", async () => {
    const reach = await asAdmin((c) =>
      c.query<{ role: string; schema: string }>(
        `select r.rolname as role, n.nspname as schema from pg_roles r cross join pg_namespace n
         where r.rolname like $2 and n.nspname = any($1) and has_schema_privilege(r.oid, n.oid, 'USAGE')
         order by 1`,
        [ServiceSchemas.map((s) => s.schema), `${prefix}\\_%\\_runtime`],
      ),
    );
    expect(reach.rows).toEqual(
      [...ServiceSchemas]
        .sort((a, b) => roleOf(a.schema).localeCompare(roleOf(b.schema)))
        .map((s) => ({
          role: roleOf(s.schema),
          schema: s.schema,
        })),
    );
    const gateway = await asRuntime<SecretsDatabase>("api-gateway", "gateway");
    expect(await outcome(sql`select * from secrets.secret_versions`.execute(gateway))).toBe("42501");
    expect(
      await outcome(sql`insert into hosts.host_audit (host_id) values (gen_random_uuid())`.execute(gateway)),
    ).toBe("42501");
    const provisioner = await asRuntime("provisioner", "provisioner");
    expect(await outcome(sql`select * from gateway.sessions`.execute(provisioner))).toBe("42501");
  });

  it("platform database - the secrets service's repositories work under its runtime role, and its audit cannot be rewritten", async () => {
    const db = await asRuntime<SecretsDatabase>("secrets", "secrets");
    await expect(
      prepareSchema(db, { schema: "secrets", migrations: secretsMigrations, migrate: false }),
    ).resolves.toEqual([]);
    const name = `apps/${uniqueName()}/root-password`;
    const sealed = {
      kekId: "k1",
      wrappedKey: Buffer.from("w"),
      iv: Buffer.from("i"),
      ciphertext: Buffer.from("c"),
      tag: Buffer.from("t"),
    };
    await db.transaction().execute(async (trx) => {
      const version = await reserveNextVersion(trx, name);
      await insertSecretVersion(trx, { name, version, ...sealed });
    });
    expect(await findCurrentSecretVersion(db, name)).toMatchObject({ name, version: 1, kekId: "k1" });
    const audit = {
      caller: "provisioner",
      action: "get",
      secretName: name,
      allowed: true,
      reason: "policy",
      traceId: "t1",
      operationId: null,
    } as const;
    await recordAccess(db, audit);
    expect(await db.transaction().execute((trx) => deleteSecretVersions(trx, name))).toBe(true);
    expect(await findCurrentSecretVersion(db, name)).toBeUndefined();

    expect(await outcome(db.updateTable("access_audit").set({ allowed: false }).execute())).toBe("42501");
    expect(await outcome(db.deleteFrom("access_audit").execute())).toBe("42501");
    expect(await outcome(sql`truncate access_audit`.execute(db))).toBe("42501");
    expect(await outcome(sql`alter table secret_versions add column leak text`.execute(db))).toBe("42501");
    expect(await outcome(sql`drop table access_audit`.execute(db))).toBe("42501");
    const rows = await db
      .selectFrom("access_audit")
      .select(["caller", "allowed"])
      .where("secret_name", "=", name)
      .execute();
    expect(rows).toEqual([{ caller: "provisioner", allowed: true }]);
  });

  it("platform database - the hosts runtime role cannot re-point a host without a trace, nor forge or rewrite the trust audit", async () => {
    const db = await asRuntime("hosts", "hosts");
    const id = "00000000-0000-4000-8000-0000000000aa";
    await sql`insert into hosts (id, name, address, port, auth_mode, username, ssh_username, api_secret_name,
      ssh_secret_name) values (${id}, ${uniqueName("host_")}, '10.0.0.1', 8006, 'api_token', 'u@pam!t', 'root',
      'a', 's')`.execute(db);
    // What a stolen runtime password allows: a plain UPDATE, no actor declared.
    await sql`update hosts set address = 'evil.example' where id = ${id}`.execute(db);
    const { rows } = await sql<{ operation: string; db_user: string; actor: string | null; after: unknown }>`
      select operation, db_user, actor, after from host_trust_audit where host_id = ${id} order by id`.execute(
      db,
    );
    expect(rows.map((r) => [r.operation, r.db_user, r.actor])).toEqual([
      ["INSERT", roleOf("hosts"), null],
      ["UPDATE", roleOf("hosts"), null],
    ]);
    expect(rows[1]!.after).toMatchObject({ address: "evil.example" });
    expect(
      await outcome(
        sql`insert into host_trust_audit (tx_id, db_user, table_name, operation, host_id)
          values (1, 'nobody', 'hosts', 'UPDATE', ${id})`.execute(db),
      ),
    ).toBe("42501");
    expect(await outcome(sql`delete from host_trust_audit`.execute(db))).toBe("42501");
    expect(await outcome(sql`update host_trust_audit set actor = 'admin'`.execute(db))).toBe("42501");
    expect(await outcome(sql`alter table hosts disable trigger hosts_trust_audit`.execute(db))).toBe("42501");
    expect(await outcome(sql`set session_replication_role = replica`.execute(db))).toBe("42501");
  });

  it("platform database - the gateway's runtime role prunes authentication events past 90 days and no others", async () => {
    const db = await asRuntime<GatewayTables>("api-gateway", "gateway");
    const type = uniqueName("event_");
    await sql`insert into auth_events (type, at) values (${type}, now() - interval '120 days'), (${type}, now() - interval '60 days')`.execute(
      db,
    );
    // Configured shorter than the 90 days the log must keep: the 60-day-old event stops the prune.
    expect(await outcome(pruneAuthEvents(db, 30, 100))).toBe("42501");
    expect(await outcome(db.deleteFrom("auth_events").where("type", "=", type).execute())).toBe("42501");
    expect(await outcome(db.updateTable("auth_events").set({ type: "forged" }).execute())).toBe("42501");
    expect(await pruneAuthEvents(db, 90, 100)).toBe(1);
    expect(await db.selectFrom("auth_events").select("type").where("type", "=", type).execute()).toHaveLength(
      1,
    );
  });

  it("platform database - a service that does not migrate starts under its runtime role, and refuses a schema it is ahead of", async () => {
    const keys = (await generateServiceKeys(["secrets"])).get("secrets")!;
    const configFor = (url: string) =>
      loadSecretsConfig({
        DATABASE_URL: url,
        GRPC_PORT: "0",
        SERVICE_KEYS_DIR: "unused",
        SECRETS_KEK: randomBytes(32).toString("base64"),
        MIGRATE_ON_START: "false",
      });
    const ready = createSecretsService(configFor(urlOf("secrets")), { logger: testLogger("secrets"), keys });
    await expect(ready.start()).resolves.toMatchObject({ grpcPort: expect.any(Number) });
    await ready.stop();

    // A database nobody set up: the service names what is missing instead of running on it.
    const empty = await createTestDatabase();
    try {
      const outdated = createSecretsService(configFor(empty.url), { logger: testLogger("secrets"), keys });
      const started = outdated.start();
      await expect(started).rejects.toBeInstanceOf(SchemaOutdatedError);
      await expect(started).rejects.toThrow(
        /schema secrets lacks \d+ migration\(s\) of this version \(0001_initial/,
      );
      await outdated.stop();
      const client = new pg.Client({ connectionString: empty.url });
      await client.connect();
      const tables = await client.query(
        "select count(*)::int as n from pg_tables where schemaname = 'secrets'",
      );
      await client.end();
      expect(tables.rows).toEqual([{ n: 0 }]); // nothing created by a service that may not migrate
    } finally {
      await empty.drop();
    }
  });

  it("platform database - setup again keeps every password and applies nothing", async () => {
    const before = new Map(ServiceSchemas.map((s) => [s.service, urlOf(s.service)]));
    await setupPlatformDatabase({ adminUrl: database.url, bundlesDir: bundles });
    for (const { service } of ServiceSchemas) expect(urlOf(service)).toBe(before.get(service));
    const applied = await asAdmin((c) => c.query("select count(*)::int as n from secrets.kysely_migration"));
    expect(applied.rows[0].n).toBe(Object.keys(secretsMigrations).length);
  });
});
