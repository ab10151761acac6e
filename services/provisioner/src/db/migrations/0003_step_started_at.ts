import { type Kysely, sql } from "kysely";

/**
 * When a step was first journaled. Steps are listed in this order: a step's "done" and the next
 * step's "running" are written by one statement (step-journal.ts), so they share `updated_at`.
 * Added without a rewrite of the table (nullable, its default set apart: both instant, however
 * many rows); rows from before stay null and are listed by `updated_at`, as they were.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("operation_steps").addColumn("started_at", "timestamptz").execute();
  await db.schema
    .alterTable("operation_steps")
    .alterColumn("started_at", (c) => c.setDefault(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("operation_steps").dropColumn("started_at").execute();
}
