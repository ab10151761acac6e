import { randomUUID } from "node:crypto";
import { type Kysely, type RawBuilder, sql, type Transaction } from "kysely";
import type { EventDefinition } from "./events.js";
import type { MessagingTables } from "./tables.js";

/**
 * Channel of the outbox's commit notifications: `<schema>_outbox` (services share a database, one
 * schema each; the relay listens on its own schema's channel).
 */
export const OUTBOX_CHANNEL_SUFFIX = "_outbox";

/** What the caller knows about the event besides its payload. */
export interface OutboxEventMeta {
  /**
   * Service name (CloudEvents source), kept in the row; the relay publishes with its signer as
   * `ce-source`, so it must be the same service for consumers to accept the event.
   */
  readonly source: string;
  readonly traceparent: string;
  /** Optional CloudEvents subject, e.g. the app id. */
  readonly subject?: string;
  /** Explicit event id (defaults to a new UUID). */
  readonly id?: string;
}

/**
 * Records an event in the outbox inside the caller's transaction: the event exists if and only if
 * the business change commits. The relay publishes it later with `Nats-Msg-Id` = event id.
 * Business code never publishes to JetStream directly.
 * @returns the event id.
 */
export async function addToOutbox<DB extends MessagingTables, T>(
  trx: Transaction<DB> | Kysely<DB>,
  event: EventDefinition<T>,
  payload: T,
  meta: OutboxEventMeta,
): Promise<string> {
  const row = outboxRowOf(event, payload, meta);
  const db = trx as unknown as Kysely<MessagingTables>;
  // The notification reaches the relay when (and only if) the transaction commits: it publishes
  // then, instead of on its next poll. Same statement, so no extra round trip.
  await db
    .insertInto("outbox")
    .values({ ...row, published_at: null })
    .returning(sql<void>`pg_notify(current_schema() || ${OUTBOX_CHANNEL_SUFFIX}, '')`.as("notified"))
    .execute();
  return row.id;
}

/** An event recorded by the same statement as a business change (see outboxInsertStatement). */
export interface OutboxInsert {
  /** The event id. */
  readonly id: string;
  /** `INSERT INTO outbox … RETURNING pg_notify(…)`: the same row and notification as addToOutbox. */
  readonly statement: RawBuilder<unknown>;
}

/**
 * The outbox insert of an event as a statement the caller completes, for a business change and its
 * event made by one statement (the change as a data-modifying CTE before it): atomic without a
 * transaction, one round trip instead of four. Otherwise as addToOutbox.
 * @example
 * const event = outboxInsertStatement(Events.OperationProgressed, progress, meta);
 * await sql`with step as (update operation_steps set status = 'running' where …) ${event.statement}`.execute(db);
 */
export function outboxInsertStatement<T>(
  event: EventDefinition<T>,
  payload: T,
  meta: OutboxEventMeta,
): OutboxInsert {
  const row = outboxRowOf(event, payload, meta);
  return {
    id: row.id,
    statement: sql`insert into outbox (id, subject, type, payload, headers, published_at)
      values (${row.id}, ${row.subject}, ${row.type}, ${row.payload}, ${row.headers}::jsonb, null)
      returning pg_notify(current_schema() || ${OUTBOX_CHANNEL_SUFFIX}, '')`,
  };
}

/** The outbox row of an event: its id, subject, type, encoded payload and CloudEvents headers. */
function outboxRowOf<T>(event: EventDefinition<T>, payload: T, meta: OutboxEventMeta) {
  const id = meta.id ?? randomUUID();
  const headers: Record<string, string> = {
    "ce-specversion": "1.0",
    "ce-id": id,
    "ce-type": event.type,
    "ce-source": meta.source,
    "ce-time": new Date().toISOString(),
    traceparent: meta.traceparent,
  };
  if (meta.subject) headers["ce-subject"] = meta.subject;
  return {
    id,
    subject: event.subject,
    type: event.type,
    payload: Buffer.from(event.codec.encode(payload).finish()),
    headers: JSON.stringify(headers),
  };
}
