/**
 * ReplayDeadLetter: republishes the request a dead letter holds so its consumer runs the operation
 * again, when explainDeadLetter allows it (see domain/replay-decision.ts). The replay is recorded and
 * the request published in one transaction: the row is taken first (a concurrent replay of the same
 * record waits, then is refused), and a failed publish rolls it back. Should the commit fail after
 * the publish, the operation journal still keeps the effect single: the same operation id is never
 * run twice, a duplicate delivery finds it claimed or finished.
 */
import { traceIdOf } from "@proximity/bus";
import { ConflictError, UnavailableError } from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import { insertReplayIfAbsent, setReplayStreamSeq } from "../db/dead-letter-replay.repository.js";
import { alreadyReplayed } from "../domain/replay-decision.js";
import { republish } from "../infra/republish.js";
import type { DeadLetterDeps } from "./dead-letter-deps.js";
import { explainDeadLetter } from "./get-dead-letter.js";

export interface ReplayResult {
  readonly seq: number;
  readonly subject: string;
  readonly streamSeq: number;
  readonly eventId: string;
  readonly operationId: string;
  readonly replayedAt: Date;
}

export async function replayDeadLetter(
  deps: DeadLetterDeps,
  seq: number,
  call: { readonly caller: string; readonly traceparent: string; readonly log: Logger },
): Promise<ReplayResult> {
  const details = await explainDeadLetter(deps, seq);
  if (!details.decision.replayable) throw new ConflictError(details.decision.reason);
  // A replayable record has its original and a request naming its operation (decideReplay).
  const original = details.record.original!;
  const { eventId } = details.record.view;
  const operationId = details.request!.operationId;
  const log = call.log.child({ deadLetterSeq: seq, eventId, operationId });
  const result = await deps.db.transaction().execute(async (trx) => {
    const row = await insertReplayIfAbsent(trx, {
      deadLetterSeq: seq,
      eventId,
      operationId,
      subject: original.subject,
      replayedBy: call.caller,
      traceId: traceIdOf(call.traceparent) ?? null,
    });
    if (!row) throw new ConflictError(alreadyReplayed(seq));
    const ack = await republish(deps.js, original, `replay:${seq}:${eventId}`, String(seq)).catch(
      (err: unknown) => {
        // A NATS server whose permissions do not let the provisioner publish there answers nothing
        // (the publish times out): the replay is rolled back and may be tried again.
        log.error({ err, subject: original.subject }, "dead letter could not be republished");
        const why = err instanceof Error ? err.message : String(err);
        throw new UnavailableError(
          `The request could not be republished to ${original.subject} (NATS: ${why})`,
          err,
        );
      },
    );
    await setReplayStreamSeq(trx, { deadLetterSeq: seq, eventId }, ack.seq);
    return {
      seq,
      subject: original.subject,
      streamSeq: ack.seq,
      eventId,
      operationId,
      replayedAt: row.replayed_at,
    };
  });
  log.warn(
    { caller: call.caller, subject: result.subject, streamSeq: result.streamSeq },
    "dead letter replayed: its request was republished",
  );
  return result;
}
