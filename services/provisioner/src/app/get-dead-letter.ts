/**
 * One dead letter explained: the record, the operation its request names and where the journal
 * has it, and whether a replay is allowed now (the same decision ReplayDeadLetter applies).
 */
import { checkEvent, Durables } from "@proximity/bus";
import { NotFoundError, ValidationError } from "@proximity/errors";
import { type DeadLetterReplayRow, findReplays, replayKey } from "../db/dead-letter-replay.repository.js";
import { findOperation, type OperationRow } from "../db/operation.repository.js";
import { decideReplay, type ReplayDecision } from "../domain/replay-decision.js";
import type { DeadLetterDeps } from "./dead-letter-deps.js";
import { type DeadLetterRecord, readDeadLetter } from "./dead-letter-record.js";

/** The consumers whose requests are operations of the journal. */
export const OPERATION_CONSUMERS: ReadonlySet<string> = new Set([
  Durables.provisionerDeploy.name,
  Durables.provisionerLifecycle.name,
  Durables.provisionerArchives.name,
]);

/** What the request of a dead letter says about its operation (only from a checked, decoded event). */
export interface DeadLetterRequest {
  readonly operationId: string;
  readonly appId: string;
  readonly notAfter: Date | undefined;
}

export interface DeadLetterDetails {
  readonly record: DeadLetterRecord;
  readonly replay: DeadLetterReplayRow | undefined;
  readonly request: DeadLetterRequest | undefined;
  readonly operation: OperationRow | undefined;
  readonly decision: ReplayDecision;
}

export async function explainDeadLetter(deps: DeadLetterDeps, seq: number): Promise<DeadLetterDetails> {
  if (!Number.isSafeInteger(seq) || seq <= 0)
    throw new ValidationError("seq must be a positive integer", [
      { field: "seq", message: "positive integer" },
    ]);
  const record = await readDeadLetter(deps.jsm, deps.ns, seq);
  if (!record) throw new NotFoundError(`Dead letter ${seq} not found`);
  const { eventId } = record.view;
  const replay = (await findReplays(deps.db, [{ seq, eventId }])).get(replayKey(seq, eventId));
  const read = record.original ? readRequest(deps, record) : { refused: "no original message" };
  const request = "request" in read ? read.request : undefined;
  const operation = request?.operationId ? await findOperation(deps.db, request.operationId) : undefined;
  const decision = decideReplay({
    seq,
    replayedAt: replay?.replayed_at,
    originalAvailable: record.original !== undefined,
    consumer: record.view.consumer,
    operationConsumers: OPERATION_CONSUMERS,
    hostCheckConsumer: Durables.provisionerHostChecks.name,
    refusedBecause: "refused" in read ? read.refused : undefined,
    operationId: request?.operationId ?? "",
    operation: operation && {
      status: operation.status,
      claimedBy: operation.claimed_by,
      claimedUntil: operation.claimed_until,
    },
    notAfter: request?.notAfter,
    now: new Date(),
  });
  return { record, replay, request, operation, decision };
}

/** The request's operation fields, read only from its producer's signed event. */
function readRequest(
  deps: DeadLetterDeps,
  record: DeadLetterRecord,
): { request: DeadLetterRequest } | { refused: string } {
  const original = record.original!;
  const check = checkEvent(deps.verifier, deps.ns, original);
  if (!check.ok) return { refused: check.reason };
  let payload: { operationId?: unknown; appId?: unknown; notAfter?: unknown };
  try {
    payload = check.event.codec.decode(original.data) as typeof payload;
  } catch {
    return { refused: "undecodable payload" };
  }
  return {
    request: {
      operationId: typeof payload.operationId === "string" ? payload.operationId : "",
      appId: typeof payload.appId === "string" ? payload.appId : "",
      notAfter: payload.notAfter instanceof Date ? payload.notAfter : undefined,
    },
  };
}
