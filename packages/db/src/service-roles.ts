import { randomBytes } from "node:crypto";
import type pg from "pg";
import { assertIdentifier } from "./database.js";
import { scramSha256Verifier } from "./scram.js";

/** The two roles of one service's schema. */
export interface ServiceRoleNames {
  /** Owns the schema and its objects; runs migrations. NOLOGIN: only setup assumes it (SET ROLE). */
  readonly owner: string;
  /** What the service logs in as: rows of its own tables, nothing else. */
  readonly runtime: string;
}

/**
 * `<prefix>_<schema>_owner` and `<prefix>_<schema>_runtime`. Roles are cluster-wide while schemas
 * are per database, so the prefix names the database they serve (two databases on one server never
 * share a role).
 */
export function serviceRoleNames(prefix: string, schema: string): ServiceRoleNames {
  const names = { owner: `${prefix}_${schema}_owner`, runtime: `${prefix}_${schema}_runtime` };
  assertIdentifier(names.owner);
  assertIdentifier(names.runtime);
  return names;
}

/** A new runtime password: 32 random bytes, base64url (printable ASCII, safe in a URL). */
export function generateRolePassword(): string {
  return randomBytes(32).toString("base64url");
}

const q = (identifier: string) => {
  assertIdentifier(identifier);
  return `"${identifier}"`;
};

/**
 * Creates or corrects, in one transaction, the roles and schema of each service:
 * - the database: no rights for PUBLIC (CONNECT and TEMP only where granted), nothing on the
 *   `public` schema;
 * - per schema: an owner role (NOLOGIN) owning the schema and everything in it (objects made by
 *   an earlier superuser-run migration are handed over), and a runtime role (LOGIN, the given
 *   password stored as a SCRAM verifier) with CONNECT on the database and USAGE on its own schema
 *   only; the table rights come from grantRuntimeAccess after migrating.
 * Idempotent; serialised across concurrent setups. Needs a superuser connection.
 */
export async function setupServiceRoles(
  admin: pg.Client,
  services: readonly {
    readonly schema: string;
    readonly roles: ServiceRoleNames;
    readonly password: string;
  }[],
): Promise<void> {
  const me = await admin.query<{ rolsuper: boolean; db: string }>(
    "select rolsuper, current_database() as db from pg_roles where rolname = current_user",
  );
  if (!me.rows[0]?.rolsuper) throw new Error("database setup needs a superuser connection");
  const database = me.rows[0].db;
  await admin.query("begin");
  try {
    // Roles are cluster-wide: setups of several databases on one server take turns.
    await admin.query("select pg_advisory_xact_lock(hashtext('proximity:service-roles'))");
    await admin.query(`revoke all on database "${database.replace(/"/g, '""')}" from public`);
    const hasPublic = await admin.query("select 1 from pg_namespace where nspname = 'public'");
    if (hasPublic.rowCount) await admin.query("revoke all on schema public from public");
    for (const service of services) {
      const { schema, roles } = service;
      await ensureRole(admin, roles.owner, "nologin password null");
      await ensureRole(admin, roles.runtime, `login password '${scramSha256Verifier(service.password)}'`);
      await admin.query(`grant connect on database "${database.replace(/"/g, '""')}" to ${q(roles.runtime)}`);
      const exists = await admin.query("select 1 from pg_namespace where nspname = $1", [schema]);
      if (exists.rowCount) await adoptSchema(admin, schema, roles.owner);
      else await admin.query(`create schema ${q(schema)} authorization ${q(roles.owner)}`);
      await admin.query(`revoke all on schema ${q(schema)} from public`);
      await admin.query(`grant usage on schema ${q(schema)} to ${q(roles.runtime)}`);
    }
    await admin.query("commit");
  } catch (err) {
    await admin.query("rollback");
    throw err;
  }
}

/** Creates the role or resets its attributes: never more than login (or not) and a password. */
async function ensureRole(admin: pg.Client, name: string, attributes: string): Promise<void> {
  const exists = await admin.query("select 1 from pg_roles where rolname = $1", [name]);
  const fixed = "nosuperuser nocreatedb nocreaterole noreplication nobypassrls noinherit";
  await admin.query(`${exists.rowCount ? "alter" : "create"} role ${q(name)} with ${fixed} ${attributes}`);
}

/**
 * Hands a schema made before the roles existed (services migrated as a superuser) to its owner:
 * the schema, its tables, views and standalone sequences (a table brings its indexes and column
 * sequences along), functions and types.
 */
async function adoptSchema(admin: pg.Client, schema: string, owner: string): Promise<void> {
  await admin.query(`alter schema ${q(schema)} owner to ${q(owner)}`);
  const relations = await admin.query<{ kind: string; name: string }>(
    `select c.relkind as kind, c.relname as name from pg_class c
     join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'f')
       and c.relowner <> (select oid from pg_roles where rolname = $2)`,
    [schema, owner],
  );
  for (const r of relations.rows) {
    const kind =
      r.kind === "v"
        ? "view"
        : r.kind === "m"
          ? "materialized view"
          : r.kind === "f"
            ? "foreign table"
            : "table";
    await admin.query(`alter ${kind} ${q(schema)}.${q(r.name)} owner to ${q(owner)}`);
  }
  // Sequences not owned by a column (those followed their table above).
  const sequences = await admin.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relkind = 'S'
       and c.relowner <> (select oid from pg_roles where rolname = $2)
       and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i'))`,
    [schema, owner],
  );
  for (const s of sequences.rows)
    await admin.query(`alter sequence ${q(schema)}.${q(s.name)} owner to ${q(owner)}`);
  const routines = await admin.query<{ signature: string }>(
    `select p.oid::regprocedure::text as signature from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = $1 and p.proowner <> (select oid from pg_roles where rolname = $2)`,
    [schema, owner],
  );
  // regprocedure renders the name schema-qualified (the schema is not on this session's path).
  for (const r of routines.rows) await admin.query(`alter routine ${r.signature} owner to ${q(owner)}`);
  const types = await admin.query<{ signature: string; domain: boolean }>(
    `select t.oid::regtype::text as signature, t.typtype = 'd' as domain
     from pg_type t join pg_namespace n on n.oid = t.typnamespace
     where n.nspname = $1 and t.typtype in ('e', 'd', 'r')
       and t.typowner <> (select oid from pg_roles where rolname = $2)`,
    [schema, owner],
  );
  for (const t of types.rows)
    await admin.query(`alter ${t.domain ? "domain" : "type"} ${t.signature} owner to ${q(owner)}`);
}
