import { type Kysely, sql } from "kysely";
import { retentionGuardTrigger } from "./append-only-guard.js";
import { assertIdentifier } from "./database.js";

/** What a service's runtime role may do in its schema, beyond reading and writing rows. */
export interface RuntimeAccessRules {
  /** Audit trails: the runtime role may read and append, never change or remove a row. */
  readonly appendOnly?: readonly string[];
  /**
   * Audit trails with a retention: like `appendOnly`, plus DELETE for the prune, which the table's
   * retention guard (createAppendOnlyGuard with `keep`) limits to rows past the retention.
   */
  readonly prunable?: readonly string[];
}

const BOOKKEEPING = ["kysely_migration", "kysely_migration_lock"];

/**
 * Sets the runtime role's rights on every table of `schema`, from scratch, in one transaction
 * (serialised with migrations of the same schema): read and write rows of the service's tables,
 * use their sequences; read only the migration bookkeeping; only read and append to audit trails.
 * Nothing else: no TRUNCATE, REFERENCES or TRIGGER, and only the owner may change the schema. Run
 * by the schema's owner after every migration, so a new table is never reachable before its rules
 * apply (no default privileges that would open it first).
 */
export async function grantRuntimeAccess(
  db: Kysely<unknown>,
  options: RuntimeAccessRules & { readonly schema: string; readonly runtimeRole: string },
): Promise<void> {
  const { schema, runtimeRole } = options;
  const appendOnly = options.appendOnly ?? [];
  const prunable = options.prunable ?? [];
  for (const name of [schema, runtimeRole, ...appendOnly, ...prunable]) assertIdentifier(name);
  const role = sql.id(runtimeRole);
  const table = (name: string) => sql.id(schema, name);
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`proximity:schema:${schema}`}))`.execute(trx);
    const { rows } = await sql<{ name: string }>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and c.relkind in ('r', 'p')`.execute(trx);
    const tables = new Set(rows.map((r) => r.name));
    // A rule naming a table that is not there is a rename the rules missed: refuse, loudly.
    for (const name of [...appendOnly, ...prunable])
      if (!tables.has(name)) throw new Error(`${schema}.${name} is declared append-only but does not exist`);
    for (const name of prunable) {
      const guard = await sql`
        select 1 from pg_trigger t join pg_class c on c.oid = t.tgrelid
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relname = ${name} and t.tgname = ${retentionGuardTrigger(name)}`.execute(
        trx,
      );
      if (guard.rows.length === 0)
        throw new Error(
          `${schema}.${name} is prunable but has no retention guard (createAppendOnlyGuard with keep)`,
        );
    }

    await sql`revoke all on all tables in schema ${sql.id(schema)} from public, ${role}`.execute(trx);
    await sql`revoke all on all sequences in schema ${sql.id(schema)} from public, ${role}`.execute(trx);
    await sql`grant select, insert, update, delete on all tables in schema ${sql.id(schema)} to ${role}`.execute(
      trx,
    );
    await sql`grant usage, select on all sequences in schema ${sql.id(schema)} to ${role}`.execute(trx);
    for (const name of BOOKKEEPING.filter((t) => tables.has(t)))
      await sql`revoke insert, update, delete on ${table(name)} from ${role}`.execute(trx);
    for (const name of appendOnly)
      await sql`revoke update, delete on ${table(name)} from ${role}`.execute(trx);
    for (const name of prunable) await sql`revoke update on ${table(name)} from ${role}`.execute(trx);
  });
}
