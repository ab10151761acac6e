import { randomUUID } from "node:crypto";
import { newTraceparent, traceparentOf } from "@proximity/telemetry";
import { type Kysely, type RawBuilder, sql, type Transaction } from "kysely";
import { type EventDefinition, subjectFor } from "./events.js";
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
  /**
   * The trace the event continues when no span is active; with one (an RPC's, a consumer's, an
   * operation step's), the envelope carries the active span's traceparent.
   */
  readonly traceparent?: string;
  /** Optional CloudEvents subject, e.g. the app id. */
  readonly subject?: string;
  /** Explicit event id (defaults to a new UUID). */
  readonly id?: string;
}

/**
 * Records an event in the outbox inside the caller's transaction: the event exists if and only if
 * the business change commits. The relay publishes it later with `Nats-Msg-Id` = event id.
 * Business code never publishes to JetStream directly, snapshot events excepted (observations,
 * which change no state: createSnapshotPublisher).
 * @returns the event id.
 */
export async function addToOutbox<DB extends MessagingTables, T>(
  trx: Transaction<DB> | Kysely<DB>,
  event: EventDefinition<T>,
  payload: T,
  meta: OutboxEventMeta,
): Promise<string> {
  const { id, statement } = outboxInsertStatement(event, payload, meta);
  await statement.execute(trx);
  return id;
}

/** An event to record, before it is written (a statement builds its insert: outboxInsertStatement). */
export interface OutboxRecord<T> {
  readonly event: EventDefinition<T>;
  readonly payload: T;
  readonly meta: OutboxEventMeta;
}

/** An event recorded by the same statement as a business change (see outboxInsertStatement). */
export interface OutboxInsert {
  /** The event id. */
  readonly id: string;
  /** `INSERT INTO outbox … RETURNING pg_notify(…)`: the row and its commit notification. */
  readonly statement: RawBuilder<unknown>;
}

/** How outboxInsertStatement records its event. */
export interface OutboxInsertOptions {
  /**
   * A condition (e.g. `exists (select from changed)`, on a CTE of the business change before it):
   * the event is recorded only when it holds, and the statement returns a row only then.
   */
  readonly onlyIf?: RawBuilder<unknown>;
}

/**
 * The outbox insert of an event as one statement: addToOutbox runs it in the caller's transaction;
 * a business change made by one statement may put itself before it as a data-modifying CTE, and is
 * then atomic with its event without a transaction (one round trip instead of four). The insert
 * also notifies `<schema>_outbox`, delivered when (and only if) the change commits: the relay
 * publishes then, instead of on its next poll.
 * @example
 * const event = outboxInsertStatement(Events.HostChecked, report, meta);
 * await sql`with checked as (update hosts set last_checked_at = now() where …) ${event.statement}`.execute(db);
 */
export function outboxInsertStatement<T>(
  event: EventDefinition<T>,
  payload: T,
  meta: OutboxEventMeta,
  options: OutboxInsertOptions = {},
): OutboxInsert {
  const id = meta.id ?? randomUUID();
  const headers: Record<string, string> = {
    "ce-specversion": "1.0",
    "ce-id": id,
    "ce-type": event.type,
    "ce-source": meta.source,
    "ce-time": new Date().toISOString(),
    traceparent: traceparentOf() ?? (meta.traceparent || newTraceparent()),
  };
  if (meta.subject) headers["ce-subject"] = meta.subject;
  const encoded = Buffer.from(event.codec.encode(payload).finish());
  const subject = subjectFor(event, payload);
  const notify = sql`returning pg_notify(current_schema() || ${OUTBOX_CHANNEL_SUFFIX}, '')`;
  if (options.onlyIf)
    return {
      id,
      statement: sql`insert into outbox (id, subject, type, payload, headers, published_at)
        select ${id}::uuid, ${subject}::text, ${event.type}::text, ${encoded}::bytea, ${JSON.stringify(headers)}::jsonb, null
        where ${options.onlyIf}
        ${notify}`,
    };
  return {
    id,
    statement: sql`insert into outbox (id, subject, type, payload, headers, published_at)
      values (${id}, ${subject}, ${event.type}, ${encoded}, ${JSON.stringify(headers)}::jsonb, null)
      ${notify}`,
  };
}
