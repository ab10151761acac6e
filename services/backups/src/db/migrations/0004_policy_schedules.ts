import { type Kysely, sql } from "kysely";

const KEEP_COLUMNS = ["keep_hourly", "keep_daily", "keep_weekly", "keep_monthly", "keep_yearly"] as const;

/**
 * Policies grow full Proxmox retention (keep_last may be 0 now: every rule at 0 keeps all), a time
 * zone, the mode and compression of scheduled backups, and the scheduler's next and last run.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The column check of 0001 (keep_last > 0), named by PostgreSQL's convention.
  await sql`alter table backup_policies drop constraint if exists backup_policies_keep_last_check`.execute(
    db,
  );
  for (const column of KEEP_COLUMNS) {
    await db.schema
      .alterTable("backup_policies")
      .addColumn(column, "integer", (c) => c.notNull().defaultTo(0))
      .execute();
  }
  await db.schema
    .alterTable("backup_policies")
    .addColumn("time_zone", "text", (c) => c.notNull().defaultTo("UTC"))
    .execute();
  await db.schema
    .alterTable("backup_policies")
    .addColumn("mode", "text", (c) =>
      c.notNull().defaultTo("snapshot").check(sql`mode in ('snapshot', 'suspend', 'stop')`),
    )
    .execute();
  await db.schema
    .alterTable("backup_policies")
    .addColumn("compression", "text", (c) =>
      c.notNull().defaultTo("zstd").check(sql`compression in ('zstd', 'gzip', 'lzo')`),
    )
    .execute();
  await db.schema.alterTable("backup_policies").addColumn("next_run_at", "timestamptz").execute();
  await db.schema.alterTable("backup_policies").addColumn("last_run_at", "timestamptz").execute();
  await db.schema
    .alterTable("backup_policies")
    .addCheckConstraint(
      "backup_policies_keep_counts",
      sql`keep_last between 0 and 10000 and keep_hourly between 0 and 10000 and keep_daily between 0 and 10000
        and keep_weekly between 0 and 10000 and keep_monthly between 0 and 10000 and keep_yearly between 0 and 10000`,
    )
    .execute();
  await db.schema
    .alterTable("backup_policies")
    .addCheckConstraint("backup_policies_next_run_when_enabled", sql`enabled or next_run_at is null`)
    .execute();
  // The scheduler's question: which enabled policies are due.
  await sql`create index backup_policies_due on backup_policies (next_run_at) where enabled`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists backup_policies_due`.execute(db);
  await sql`alter table backup_policies drop constraint if exists backup_policies_next_run_when_enabled`.execute(
    db,
  );
  await sql`alter table backup_policies drop constraint if exists backup_policies_keep_counts`.execute(db);
  for (const column of [...KEEP_COLUMNS, "time_zone", "mode", "compression", "next_run_at", "last_run_at"]) {
    await db.schema.alterTable("backup_policies").dropColumn(column).execute();
  }
  // 0001 refused keep_last 0 ("keep none" did not exist then).
  await sql`update backup_policies set keep_last = 1 where keep_last = 0`.execute(db);
  await sql`alter table backup_policies add constraint backup_policies_keep_last_check check (keep_last > 0)`.execute(
    db,
  );
}
