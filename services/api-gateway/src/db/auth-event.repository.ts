import { sql } from "kysely";
import type { GatewayDb } from "./database.js";

/** One row of the authentication event log. */
export interface NewAuthEvent {
  readonly type: string;
  readonly userId: string | null;
  readonly username: string | null;
  readonly actorUserId: string | null;
  readonly actorSessionId: string | null;
  readonly actorTokenId: string | null;
  readonly subjectId: string | null;
  readonly clientAddress: string | null;
  readonly requestId: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

/** Appends events (the log is insert-only; only pruneAuthEvents deletes). */
export async function insertAuthEvents(db: GatewayDb, events: readonly NewAuthEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto("auth_events")
    .values(
      events.map((e) => ({
        type: e.type,
        user_id: e.userId,
        username: e.username,
        actor_user_id: e.actorUserId,
        actor_session_id: e.actorSessionId,
        actor_token_id: e.actorTokenId,
        subject_id: e.subjectId,
        client_address: e.clientAddress,
        request_id: e.requestId,
        details: JSON.stringify(e.details),
      })),
    )
    .execute();
}

/** Events of one type about a user since `since`: how many, and the oldest's time. */
export async function countUserEventsSince(
  db: GatewayDb,
  userId: string,
  type: string,
  since: Date,
): Promise<{ count: number; oldest: Date | null }> {
  const row = await db
    .selectFrom("auth_events")
    .select((eb) => [eb.fn.countAll<number>().as("count"), eb.fn.min("at").as("oldest")])
    .where("user_id", "=", userId)
    .where("type", "=", type)
    .where("at", ">", since)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), oldest: row.oldest ? new Date(row.oldest) : null };
}

/**
 * Deletes up to `batchSize` events older than `retentionDays`, oldest first, through
 * `auth_events_at_idx` (short statements: a large backlog is pruned batch by batch); the number
 * deleted. The one statement that deletes from the log:
 *   DELETE FROM auth_events WHERE id IN (SELECT id FROM auth_events
 *     WHERE at < now() - make_interval(days => $1) ORDER BY at LIMIT $2)
 */
export async function pruneAuthEvents(
  db: GatewayDb,
  retentionDays: number,
  batchSize: number,
): Promise<number> {
  const result = await pruneAuthEventsQuery(db, retentionDays, batchSize).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The prune statement itself (tests EXPLAIN it). */
export function pruneAuthEventsQuery(db: GatewayDb, retentionDays: number, batchSize: number) {
  const cutoff = sql<Date>`now() - make_interval(days => ${retentionDays})`;
  return db
    .deleteFrom("auth_events")
    .where(
      "id",
      "in",
      db.selectFrom("auth_events").select("id").where("at", "<", cutoff).orderBy("at").limit(batchSize),
    );
}
