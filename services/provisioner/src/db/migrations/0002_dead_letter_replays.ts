import { type Kysely, sql } from "kysely";

/**
 * Replays of dead letters (ReplayDeadLetter): one row per dead letter republished, so a second
 * replay of the same record is refused. The key pairs the record's sequence in the dead-letter
 * stream with the event it holds: a stream declared again restarts its sequences.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("dead_letter_replays")
    .addColumn("dead_letter_seq", "bigint", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("operation_id", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("stream_seq", "bigint")
    .addColumn("replayed_by", "text", (c) => c.notNull())
    .addColumn("trace_id", "text")
    .addColumn("replayed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("dead_letter_replays_pk", ["dead_letter_seq", "event_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("dead_letter_replays").ifExists().execute();
}
