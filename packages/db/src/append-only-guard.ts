import { type Kysely, sql } from "kysely";
import { assertIdentifier } from "./database.js";

export interface AppendOnlyGuardOptions {
  /** The audit table (in the migration's schema). */
  readonly table: string;
  /**
   * Retention: rows whose `column` is older than `interval` (a PostgreSQL interval such as
   * "90 days") may be deleted, all others may not. Without it no row may ever be deleted.
   */
  readonly keep?: { readonly column: string; readonly interval: string };
}

const INTERVAL = /^[1-9][0-9]{0,5} (minute|hour|day|month|year)s?$/;

/** Name of the trigger of a guard with retention (grantRuntimeAccess requires it before it grants DELETE). */
export function retentionGuardTrigger(table: string): string {
  return `${table}_retention_guard`;
}

/**
 * For a migration: makes `table` append-only for every role, its owner included. A trigger refuses
 * UPDATE and TRUNCATE, and DELETE of rows younger than the retention (`keep`), so a retention prune
 * is a plain DELETE by the service's runtime role (listed `prunable` at setup) and nothing else can
 * rewrite the trail. Chosen over a SECURITY DEFINER prune function: the rule holds for every code
 * path and role, and no function runs with the owner's rights.
 * @example
 * await createAppendOnlyGuard(db, { table: "auth_events", keep: { column: "at", interval: "90 days" } });
 */
export async function createAppendOnlyGuard(
  db: Kysely<unknown>,
  options: AppendOnlyGuardOptions,
): Promise<void> {
  const { table, keep } = options;
  assertIdentifier(table);
  if (keep) {
    assertIdentifier(keep.column);
    if (!INTERVAL.test(keep.interval)) throw new Error(`not a retention interval: ${keep.interval}`);
  }
  const fn = `${table}_append_only`;
  // The body is static text: identifiers checked above, the interval matched against a strict form.
  const deleteRule = keep
    ? `if OLD.${keep.column} > now() - interval '${keep.interval}' then
         raise exception '${table} rows are kept for ${keep.interval}' using errcode = 'insufficient_privilege';
       end if;
       return OLD;`
    : `raise exception '${table} is append-only' using errcode = 'insufficient_privilege';`;
  await sql
    .raw(`create function ${fn}() returns trigger language plpgsql as $$
    begin
      if TG_OP = 'DELETE' then
        ${deleteRule}
      end if;
      raise exception '${table} is append-only' using errcode = 'insufficient_privilege';
    end $$`)
    .execute(db);
  const rowTrigger = keep ? retentionGuardTrigger(table) : `${table}_append_only_guard`;
  await sql
    .raw(`create trigger ${rowTrigger} before update or delete on ${table}
    for each row execute function ${fn}()`)
    .execute(db);
  await sql
    .raw(`create trigger ${table}_no_truncate before truncate on ${table}
    for each statement execute function ${fn}()`)
    .execute(db);
}

/** For a migration's `down`: removes what createAppendOnlyGuard made. */
export async function dropAppendOnlyGuard(db: Kysely<unknown>, table: string): Promise<void> {
  assertIdentifier(table);
  await sql.raw(`drop trigger if exists ${table}_no_truncate on ${table}`).execute(db);
  await sql.raw(`drop trigger if exists ${retentionGuardTrigger(table)} on ${table}`).execute(db);
  await sql.raw(`drop trigger if exists ${table}_append_only_guard on ${table}`).execute(db);
  await sql.raw(`drop function if exists ${table}_append_only()`).execute(db);
}
