import { type Kysely, sql } from "kysely";
import { KINDS_0002, STATUSES_0002 } from "./0002_life_cycle.js";

/** Statuses and operation kinds as of this migration (frozen here: the domain lists may grow later). */
const STATUSES_0004 = [...STATUSES_0002, "restoring"] as const;
const KINDS_0004 = [...KINDS_0002, "backup", "restore"] as const;

const list = (values: readonly string[]) => sql.join(values.map((v) => sql.lit(v)));

async function replaceChecks(
  db: Kysely<unknown>,
  statuses: readonly string[],
  kinds: readonly string[],
): Promise<void> {
  await sql`alter table apps drop constraint apps_status_check`.execute(db);
  await sql`alter table apps add constraint apps_status_check check (status in (${list(statuses)}))`.execute(
    db,
  );
  await sql`alter table apps drop constraint apps_current_operation_check`.execute(db);
  await sql`alter table apps add constraint apps_current_operation_check
    check (current_operation in (${list(kinds)}))`.execute(db);
  await sql`alter table app_operations drop constraint app_operations_kind_check`.execute(db);
  await sql`alter table app_operations add constraint app_operations_kind_check
    check (kind in (${list(kinds)}))`.execute(db);
}

/** Backups and restores are app operations (one per app at a time, like the others); `restoring`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await replaceChecks(db, STATUSES_0004, KINDS_0004);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // What 0002 does not know goes: a restoring app becomes `error` (the status a user can act on),
  // a backup in flight lets its app go, and the history of archive operations is dropped.
  await sql`update apps set status = 'error', status_message = 'Status lost in a schema downgrade'
    where status = 'restoring'`.execute(db);
  await sql`update apps set current_operation_id = null, current_operation = null
    where current_operation in ('backup', 'restore')`.execute(db);
  await sql`delete from app_operations where kind in ('backup', 'restore')`.execute(db);
  await replaceChecks(db, STATUSES_0002, KINDS_0002);
}
