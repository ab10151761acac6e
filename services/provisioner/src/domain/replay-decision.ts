/**
 * Whether a dead letter may be replayed (pure). A replay republishes the original request, so it
 * is allowed only where the provisioner's journal can vouch that running it again does no harm and
 * is still wanted: a request of the provisioner's own consumers, its producer's signed event, whose
 * operation is not finished (a finished one would only be acknowledged as a duplicate, and the app
 * has already settled on its result), not held by a live worker, and not past its deadline (the app
 * was handed back to its owner). Each dead letter is replayed once.
 */

/** What is known of a dead letter when deciding. */
export interface ReplayFacts {
  readonly seq: number;
  /** When it was replayed, if it was. */
  readonly replayedAt: Date | undefined;
  /** Whether the original message could still be read (an advisory's may have aged out). */
  readonly originalAvailable: boolean;
  /** The consumer that gave it up. */
  readonly consumer: string;
  /** The provisioner's operation consumers (their requests carry an operation id). */
  readonly operationConsumers: ReadonlySet<string>;
  /** The consumer of host-check requests (a fresh check replaces a replay). */
  readonly hostCheckConsumer: string;
  /** Why the message is not its producer's signed event (checkEvent), or why it cannot be decoded. */
  readonly refusedBecause: string | undefined;
  /** The operation the request names ("" when none). */
  readonly operationId: string;
  /** The operation's journal row, when the provisioner recorded it. */
  readonly operation:
    | { readonly status: string; readonly claimedBy: string | null; readonly claimedUntil: Date | null }
    | undefined;
  /** The request's deadline, when it carries one. */
  readonly notAfter: Date | undefined;
  readonly now: Date;
}

export type ReplayDecision =
  | { readonly replayable: true }
  | { readonly replayable: false; readonly reason: string };

export function decideReplay(f: ReplayFacts): ReplayDecision {
  const no = (reason: string): ReplayDecision => ({ replayable: false, reason });
  if (f.replayedAt) return no(alreadyReplayed(f.seq, f.replayedAt));
  if (f.consumer === f.hostCheckConsumer)
    return no("A host check is not replayed: request a fresh one (CheckHost) instead");
  if (!f.operationConsumers.has(f.consumer))
    return no(
      `Only requests the provisioner consumes can be replayed; this message was given up by ${f.consumer || "an unknown consumer"}, whose service settles it (operation deadlines, reconciliation)`,
    );
  if (!f.originalAvailable)
    return no("The original message is no longer in its stream (kept 7 days): there is nothing to replay");
  if (f.refusedBecause)
    return no(`The message is not a valid request (${f.refusedBecause}): it is never replayed`);
  if (!f.operationId) return no("The request names no operation: a replay would fail again");
  const op = f.operation;
  if (op && op.status !== "running")
    return no(
      `Operation ${f.operationId} already ${op.status}: a replay would be acknowledged as a duplicate and change nothing; retry from the app instead (a new operation)`,
    );
  if (op?.claimedUntil && op.claimedUntil > f.now)
    return no(
      `Operation ${f.operationId} is being worked on (claimed by ${op.claimedBy ?? "a worker"} until ${op.claimedUntil.toISOString()}): replay only once that claim has expired`,
    );
  if (f.notAfter && f.notAfter <= f.now)
    return no(
      `The request's deadline passed at ${f.notAfter.toISOString()}: the app has been handed back to its owner; retry from the app instead`,
    );
  return { replayable: true };
}

/** The refusal of a second replay (also when two replays race and the database decides). */
export function alreadyReplayed(seq: number, at?: Date): string {
  return `Dead letter ${seq} was already replayed${at ? ` at ${at.toISOString()}` : ""}; it is replayed once`;
}
