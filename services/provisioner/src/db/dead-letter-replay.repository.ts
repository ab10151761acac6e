import { isAnyOf } from "@proximity/db";
import type { Selectable } from "kysely";
import type { DbOrTrx } from "./database.js";
import type { DeadLetterReplaysTable } from "./dead-letter-replays.table.js";

export type DeadLetterReplayRow = Selectable<DeadLetterReplaysTable>;

/**
 * Records the replay of a dead letter, unless one is recorded already (the primary key decides:
 * a concurrent replay of the same record waits for this transaction, then finds the row).
 * @returns the new row, or undefined when the dead letter was replayed before.
 */
export async function insertReplayIfAbsent(
  trx: DbOrTrx,
  replay: {
    deadLetterSeq: number;
    eventId: string;
    operationId: string;
    subject: string;
    replayedBy: string;
    traceId: string | null;
  },
): Promise<DeadLetterReplayRow | undefined> {
  return trx
    .insertInto("dead_letter_replays")
    .values({
      dead_letter_seq: replay.deadLetterSeq,
      event_id: replay.eventId,
      operation_id: replay.operationId,
      subject: replay.subject,
      replayed_by: replay.replayedBy,
      trace_id: replay.traceId,
    })
    .onConflict((oc) => oc.columns(["dead_letter_seq", "event_id"]).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Where the replayed request landed in its stream. */
export async function setReplayStreamSeq(
  trx: DbOrTrx,
  key: { deadLetterSeq: number; eventId: string },
  streamSeq: number,
): Promise<void> {
  await trx
    .updateTable("dead_letter_replays")
    .set({ stream_seq: streamSeq })
    .where("dead_letter_seq", "=", key.deadLetterSeq)
    .where("event_id", "=", key.eventId)
    .execute();
}

/** Replays of the given dead letters, by `<seq>/<event id>`. */
export async function findReplays(
  db: DbOrTrx,
  keys: readonly { seq: number; eventId: string }[],
): Promise<Map<string, DeadLetterReplayRow>> {
  if (keys.length === 0) return new Map();
  const seqs = keys.map((k) => k.seq);
  const rows = await db
    .selectFrom("dead_letter_replays")
    .selectAll()
    .where(isAnyOf("dead_letter_seq", seqs, "bigint"))
    .execute();
  return new Map(rows.map((r) => [replayKey(Number(r.dead_letter_seq), r.event_id), r]));
}

export function replayKey(seq: number, eventId: string): string {
  return `${seq}/${eventId}`;
}
