/** Dead letters of the namespace, newest first, each marked when it was replayed. */
import { streamName } from "@proximity/bus";
import type { JetStreamManager } from "nats";
import type { Db } from "../db/database.js";
import { findReplays, replayKey } from "../db/dead-letter-replay.repository.js";
import { type DeadLetterView, recordOf } from "./dead-letter-record.js";

export type { DeadLetterView } from "./dead-letter-record.js";

export const DEFAULT_DEAD_LETTER_LIMIT = 50;
export const MAX_DEAD_LETTER_LIMIT = 500;

export interface ListedDeadLetter extends DeadLetterView {
  readonly replayedAt: Date | undefined;
}

export async function listDeadLetters(
  deps: { readonly jsm: JetStreamManager; readonly ns: string; readonly db: Db },
  limit: number,
): Promise<ListedDeadLetter[]> {
  const { jsm, ns } = deps;
  const want = Math.min(limit > 0 ? limit : DEFAULT_DEAD_LETTER_LIMIT, MAX_DEAD_LETTER_LIMIT);
  const name = streamName(ns, "DEAD_LETTERS");
  const { state } = await jsm.streams.info(name);
  const out: DeadLetterView[] = [];
  for (let seq = state.last_seq; seq >= state.first_seq && seq > 0 && out.length < want; seq--) {
    const msg = await jsm.streams.getMessage(name, { seq }).catch(() => null); // gaps: deleted messages
    const record = msg ? await recordOf(jsm, ns, msg) : undefined;
    if (record) out.push(record.view);
  }
  const replays = await findReplays(
    deps.db,
    out.map((v) => ({ seq: v.seq, eventId: v.eventId })),
  );
  return out.map((v) => ({ ...v, replayedAt: replays.get(replayKey(v.seq, v.eventId))?.replayed_at }));
}
