import { type Kysely, sql } from "kysely";

/**
 * Results of connection checks (reported by the provisioner) and the schedule of periodic checks.
 * `next_check_at` is claimed row by row (`update … where next_check_at <= now()`), so however many
 * replicas run the periodic round, each host is requested once per interval.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("hosts")
    .addColumn("last_checked_at", "timestamptz")
    .addColumn("last_check_error", "text")
    .addColumn("pve_version", "text")
    .addColumn("next_check_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .alterTable("nodes")
    .addColumn("max_cpu", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("disk_bytes", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("max_disk_bytes", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("uptime_seconds", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("nodes")
    .dropColumn("max_cpu")
    .dropColumn("disk_bytes")
    .dropColumn("max_disk_bytes")
    .dropColumn("uptime_seconds")
    .execute();
  await db.schema
    .alterTable("hosts")
    .dropColumn("last_checked_at")
    .dropColumn("last_check_error")
    .dropColumn("pve_version")
    .dropColumn("next_check_at")
    .execute();
}
