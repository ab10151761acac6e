import { type ColumnType, type Generated, type Kysely, sql } from "kysely";

/** Row of a service's outbox: events written in the business transaction, published by the relay. */
export interface OutboxTable {
  id: string;
  seq: Generated<number>;
  subject: string;
  type: string;
  payload: Buffer;
  headers: ColumnType<Record<string, string>, string, string>;
  created_at: Generated<Date>;
  published_at: Date | null;
}

/** Row of a consumer's inbox: one per processed event id, the idempotency key. */
export interface InboxTable {
  consumer: string;
  event_id: string;
  processed_at: Generated<Date>;
}

/** Tables every service with events has; its database interface extends this. */
export interface MessagingTables {
  outbox: OutboxTable;
  inbox: InboxTable;
}

/** Migration step creating outbox and inbox in the current schema. */
export async function createMessagingTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("outbox")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("seq", "bigserial", (c) => c.notNull().unique())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("payload", "bytea", (c) => c.notNull())
    .addColumn("headers", "jsonb", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("published_at", "timestamptz")
    .execute();
  // The relay only ever scans unpublished rows.
  await sql`create index outbox_unpublished on outbox (seq) where published_at is null`.execute(db);
  await db.schema
    .createTable("inbox")
    .addColumn("consumer", "text", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("processed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("inbox_pk", ["consumer", "event_id"])
    .execute();
}

/** Reverse of createMessagingTables. */
export async function dropMessagingTables(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("inbox").ifExists().execute();
  await db.schema.dropTable("outbox").ifExists().execute();
}
