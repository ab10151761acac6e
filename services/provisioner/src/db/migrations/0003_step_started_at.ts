import { type Kysely, sql } from "kysely";

/**
 * When a step was first journaled. Steps are listed in this order: a step's "done" and the next
 * step's "running" are written by one statement (step-journal.ts), so they share `updated_at`.
 * Rows from before take their `updated_at`, the order they were listed in until now.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("operation_steps")
    .addColumn("started_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`update operation_steps set started_at = updated_at`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("operation_steps").dropColumn("started_at").execute();
}
