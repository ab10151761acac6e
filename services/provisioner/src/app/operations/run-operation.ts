/**
 * The one mechanism behind every operation kind: exactly one effect per operation id. A delivery
 * inserts the operation row once (duplicates find it), acknowledges a finished operation as a
 * duplicate, and works on a running one only when its atomic claim succeeds. The claim (and any
 * VMID lease) is renewed while the kind's steps run; each step consults the journal first, so a
 * retry continues where the last attempt stopped. After the last attempt (or a permanent failure)
 * `failOperation` runs the kind's cleanup and records OperationFailed with a safe reason. Each
 * attempt is a span (`<kind> operation`) under the delivery's, each journaled step a span under it;
 * the delivery that ends an operation counts its result (proximity_provisioner_operations_total).
 */
import {
  AbandonedDeliveryError,
  type MessageContext,
  newTraceparent,
  type OutboxRecord,
  PermanentFailure,
} from "@proximity/bus";
import { ValidationError } from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import { inSpan, noopTracer, type Span, traceparentOf } from "@proximity/telemetry";
import {
  finishOperationWithResult,
  insertOperationClaimed,
  insertOperationIfAbsent,
  type OperationRow,
} from "../../db/operation.repository.js";
import { failedEvent, type OperationResult, succeededEvent } from "../../events/publish.js";
import { countOperationResult } from "../../infra/metrics.js";
import { newClaim } from "./claim-id.js";
import { claimNow, claimWhenFree } from "./claim-when-free.js";
import type { Attempt, OperationDeps, OperationRequest } from "./context.js";
import { LeaseLostError, OperationBusyError, OwnershipLostError } from "./errors.js";
import { explainFailure, failureOf } from "./failure-reason.js";
import { origin } from "./journal-step.js";
import { keepOwnership } from "./keep-ownership.js";
import { createOffPathWork } from "./off-path.js";
import { type OperationKindName, protoKind as protoKindOf } from "./operation-kind.js";
import { isCredentialRefusal, isHostKeyRefusal, isPermanentFailure } from "./permanent-failure.js";
import { releaseClaimPatiently } from "./release-claim.js";
import { createStepJournal } from "./step-journal.js";

/** Progress step of a failed attempt (consumers show it as a warning). */
export const ATTEMPT_FAILED_STEP = "attempt-failed";

/** What the runner needs to know about one kind of operation. */
export interface OperationSpec<R extends OperationRequest> {
  readonly kind: OperationKindName;
  /** The container the request names, recorded in the journal (null when it is still to be chosen). */
  vmidOf?(request: R): number | null;
  /** The backup record the operation is about (backup kinds), carried by OperationFailed. */
  backupIdOf?(request: R): string;
  /** The kind's steps. Ends with completeOperation (or failNow for an outcome decided in the steps). */
  run(a: Attempt<R>): Promise<void>;
  /**
   * After the last attempt failed: undo what the operation did, best effort (every action logged,
   * none may throw), and say where the container was left ("running" | "stopped" | "").
   */
  cleanup?(c: Cleanup<R>): Promise<string>;
}

/** What a cleanup gets: the request, the journal row (claimed for the cleanup) and a logger. */
export interface Cleanup<R extends OperationRequest> {
  readonly deps: OperationDeps;
  readonly request: R;
  readonly operation: OperationRow;
  readonly traceparent: string;
  readonly log: Logger;
}

/**
 * Handles one delivery. Resolves when the operation is done (now or before); throws to have the
 * request redelivered, or PermanentFailure when retrying cannot help.
 */
export async function runOperation<R extends OperationRequest>(
  deps: OperationDeps,
  spec: OperationSpec<R>,
  request: R,
  ctx: MessageContext,
): Promise<void> {
  assertIdentified(spec.kind, request);
  const startedAt = performance.now();
  const { operationId, hostId } = request;
  // A first delivery records the operation claimed; a later one claims it, waiting out a crashed
  // replica's claim rather than spending this delivery.
  const first = await recordOperationClaimed(deps, spec, request);
  const outcome = first
    ? ({ kind: "claimed", operation: first } as const)
    : await claimWhenFree(deps, operationId, ctx, true);
  if (outcome.kind === "finished") {
    ctx.log.info(
      { operationId, status: outcome.status },
      "operation already finished; duplicate request acknowledged",
    );
    return;
  }
  if (outcome.kind === "held") throw new OperationBusyError();
  const claimed = outcome.operation;
  const attributes = {
    "proximity.operation.id": operationId,
    "proximity.operation.kind": spec.kind,
    "proximity.operation.attempt": claimed.attempts,
    "proximity.host.id": hostId,
  };
  await inSpan(deps.tracer ?? noopTracer, `${spec.kind} operation`, { attributes }, (span) =>
    runAttempt(deps, spec, request, ctx, claimOf(claimed), startedAt, span),
  );
}

/** One attempt at a claimed operation, inside its span. */
async function runAttempt<R extends OperationRequest>(
  deps: OperationDeps,
  spec: OperationSpec<R>,
  request: R,
  ctx: MessageContext,
  claimed: Claimed,
  startedAt: number,
  span: Span,
): Promise<void> {
  const { db } = deps;
  const { operationId, appId, hostId } = request;
  const controller = new AbortController();
  const traceparent = traceparentOf(span) ?? (ctx.traceparent || newTraceparent());
  const log = ctx.log.child({ operationId, kind: spec.kind, appId, hostId, ...backupIdField(spec, request) });
  const a: Attempt<R> = {
    deps,
    kind: spec.kind,
    request,
    attempt: claimed.attempts,
    claim: claimed.claim,
    traceparent,
    startedAt,
    log,
    signal: controller.signal,
    masked: [],
    progress: deps.progress.reporterFor({ operationId, kind: protoKindOf(spec.kind), appId, traceparent }),
    journal: createStepJournal(db, operationId, claimed.claim),
    offPath: createOffPathWork(),
  };
  const stopKeeping = keepOwnership(a, controller);
  let failed = false;
  try {
    await spec.run(a);
    // A kind's steps end with its result, which journals the last step done: none can wait now.
    const unwritten = a.journal.waiting();
    if (unwritten.length > 0)
      a.log.error({ steps: unwritten }, "steps done but not journaled: the attempt ended without its result");
    await a.progress.flush(); // lines of an attempt that ended without a result (none by now)
  } catch (err) {
    failed = true;
    const reason = explainFailure(err, claimed.attempts);
    a.log.warn(
      { err, step: failureOf(err).step, attempt: claimed.attempts, reason },
      `${spec.kind} attempt failed`,
    );
    // The owner sees every failed attempt as it happens, not only the final verdict (the reason is
    // the same safe sentence the final failure would carry), after the lines still waiting; both
    // written while the claim is held, so before any result of the next holder. An attempt that
    // lost the operation or its lease to another worker did not fail: the other worker carries on
    // (and may have finished it already: after a lost claim, not a line more).
    const lost = ownershipLostIn(err, a.signal);
    if (!lost)
      a.progress.report({
        step: ATTEMPT_FAILED_STEP,
        message: `Attempt ${claimed.attempts} failed: ${reason}`,
        attempt: claimed.attempts,
      });
    if (!lost || lost instanceof LeaseLostError) {
      // The last step done is journaled (while the claim is still ours), or the retry runs it again.
      await a.journal
        .flush()
        .catch((e: unknown) => a.log.warn({ err: e }, "could not journal the last step done"));
      await a.progress.flush();
    }
    a.progress.close(); // nothing more from this attempt, even a write retried after the release
    // The VMID lease (if any) is not released: the retry re-adopts it, or its TTL frees it. The
    // claim is, even across a database restart (releaseClaimPatiently), or redeliveries find it busy.
    await releaseClaimPatiently(db, operationId, claimed.claim, reason, {
      withinMs: deps.settings.claimTtlMs,
    }).catch((e: unknown) => a.log.error({ err: e }, "could not release the claim; it expires on its own"));
    // Credentials read for an earlier operation may have changed since without the host's record
    // saying so, and a node's key may have been replaced in a record this replica kept: the retry
    // reads them again (the session and record are dropped below) before a refusal is final.
    const staleTrust =
      (a.connection?.reusedCredentials === true && isCredentialRefusal(err)) ||
      (a.connection?.keptRecord === true && isHostKeyRefusal(err));
    throw isPermanentFailure(err) && !staleTrust ? new PermanentFailure(reason, { cause: err }) : err;
  } finally {
    a.progress.close();
    stopKeeping();
    // After the renewals stop: the operation is finished or released, and its claim no longer ours
    // to renew (a renewal now would be refused and report the attempt's ownership lost).
    await a.offPath.settled();
    // A failed attempt may be a refused credential or a replaced certificate: read them again.
    await a.connection?.close({ discard: failed }).catch(() => undefined);
  }
}

/**
 * The consumer's onExhausted hook: the cleanup is part of the operation. Claims the operation
 * without counting an attempt (a worker holding it for a duplicate delivery wins: not ours to
 * fail), runs the kind's cleanup, then marks the operation failed and records OperationFailed in
 * one statement. The failure is reported even when the host cannot be reached.
 */
export async function failOperation<R extends OperationRequest>(
  deps: OperationDeps,
  spec: OperationSpec<R>,
  request: R,
  ctx: MessageContext,
  error: unknown,
): Promise<void> {
  const attributes = { "proximity.operation.id": request.operationId, "proximity.operation.kind": spec.kind };
  await inSpan(deps.tracer ?? noopTracer, `${spec.kind} cleanup`, { attributes }, () =>
    failInSpan(deps, spec, request, ctx, error),
  );
}

async function failInSpan<R extends OperationRequest>(
  deps: OperationDeps,
  spec: OperationSpec<R>,
  request: R,
  ctx: MessageContext,
  error: unknown,
): Promise<void> {
  const startedAt = performance.now();
  const { db } = deps;
  const log = ctx.log.child({
    operationId: request.operationId,
    kind: spec.kind,
    appId: request.appId,
    ...backupIdField(spec, request),
    cleanup: true,
  });
  if (!request.operationId) {
    log.warn("request without an operation id; nothing to fail");
    return;
  }
  const abandoned = error instanceof AbandonedDeliveryError;
  // Every delivery may have died before the operation was even recorded: it is recorded now, so
  // that it can be failed (and its app settled) like any other.
  if (abandoned) await recordOperation(deps, spec, request);
  // Waits out a crashed replica's claim: returning without failing the operation would leave it
  // running for ever, since no delivery follows this one. A recovery tries once: its advisory is
  // retried later anyway, and a wait would hold up the advisories behind it.
  const outcome = abandoned
    ? await claimNow(deps, request.operationId)
    : await claimWhenFree(deps, request.operationId, ctx, false);
  if (outcome.kind === "finished") {
    log.info({ status: outcome.status }, "operation already finished; nothing to fail");
    return;
  }
  if (outcome.kind === "held") {
    // Recovering an abandoned request, nothing else will come back to it: the advisory is tried
    // again later, until the holder has finished or let go (or this process is stopping).
    if (abandoned) throw new OperationBusyError();
    // A live worker holds it (renewing its claim): that worker ends it.
    log.warn("operation held by a live worker; leaving it to that worker");
    return;
  }
  const op = outcome.operation;
  const { claim } = claimOf(op);
  // Deliveries that died before recording the operation counted no attempt: say how many there were.
  const attempts =
    error instanceof AbandonedDeliveryError && op.attempts === 0 ? error.deliveries : op.attempts;
  const reason = explainFailure(error, attempts);
  const traceparent = ctx.traceparent || newTraceparent();
  let containerStatus = "";
  if (spec.cleanup) {
    // Destroying a container can outlast the claim's TTL on a real host: the claim is renewed
    // meanwhile, so a duplicate delivery cannot take the operation over half way.
    const stopKeeping = keepOwnership({ deps, request, claim, log }, new AbortController());
    try {
      containerStatus = await spec
        .cleanup({ deps, request, operation: op, traceparent, log })
        .catch((err: unknown) => {
          log.error({ err }, "cleanup failed");
          return "";
        });
    } finally {
      stopKeeping();
    }
  }
  const ended = await finishOperationWithResult(
    db,
    { operationId: op.id, claim, status: "failed", lastError: reason, steps: [] },
    failedEvent(
      { operationId: op.id, kind: protoKindOf(spec.kind), appId: op.app_id, traceparent },
      { reason, attempts, containerStatus, backupId: spec.backupIdOf?.(request) ?? "" },
    ),
  );
  if (!ended) {
    // Its claim was lost during the cleanup (renewals failed for a TTL) and another delivery took it.
    log.warn({ reason }, "the operation was taken over during its cleanup; its new holder ends it");
    return;
  }
  countOperationResult(spec.kind, "failed", startedAt);
  log.warn({ reason, attempts, containerStatus }, `${spec.kind} failed`);
}

/**
 * The operation succeeded: the last step done, the final status and OperationSucceeded are written
 * by one statement (finishOperationWithResult). The result's host and node are the request's.
 */
export async function completeOperation(
  a: Attempt,
  result: Omit<OperationResult, "hostId" | "node">,
): Promise<void> {
  const { hostId, node } = a.request;
  await a.progress.withResult((progress) =>
    endOperation(a, "succeeded", null, succeededEvent(origin(a), { hostId, node, ...result, progress })),
  );
  countOperationResult(a.kind, "succeeded", a.startedAt);
  a.log.info({ vmid: result.vmid, containerStatus: result.containerStatus }, `${a.kind} succeeded`);
}

/**
 * An outcome the steps decided themselves (an update rolled back): the operation ends failed now,
 * without further deliveries, and OperationFailed says where the container was left.
 */
export async function failNow(a: Attempt, reason: string, containerStatus: string): Promise<void> {
  await a.progress.withResult((progress) =>
    endOperation(
      a,
      "failed",
      reason,
      failedEvent(origin(a), { reason, attempts: a.attempt, containerStatus, progress }),
    ),
  );
  countOperationResult(a.kind, "failed", a.startedAt);
  a.log.warn({ reason, containerStatus }, `${a.kind} failed`);
}

/**
 * Ends the attempt's operation with its result, only while the attempt's claim holds: a worker
 * that lost its claim leaves the operation to the new holder. The last step done goes with it.
 */
async function endOperation<T>(
  a: Attempt,
  status: "succeeded" | "failed",
  lastError: string | null,
  result: OutboxRecord<T>,
): Promise<void> {
  const journal = a.journal.forResult();
  const end = {
    operationId: a.request.operationId,
    claim: a.claim,
    status,
    lastError,
    steps: journal.steps,
    vmid: journal.vmid,
  };
  if (!(await finishOperationWithResult(a.deps.db, end, result)))
    throw new OwnershipLostError("The claim on the operation was lost before it completed");
  journal.written();
}

/** The ownership an attempt lost, if its failure says so (or its abort does: an aborted command's error may not). */
function ownershipLostIn(err: unknown, signal: AbortSignal): OwnershipLostError | undefined {
  for (const candidate of [err, failureOf(err).cause, signal.aborted ? signal.reason : undefined])
    if (candidate instanceof OwnershipLostError) return candidate;
  return undefined;
}

/** The operation's journal row, once (a redelivered or duplicate request finds it untouched). */
async function recordOperation<R extends OperationRequest>(
  deps: OperationDeps,
  spec: OperationSpec<R>,
  request: R,
): Promise<void> {
  await insertOperationIfAbsent(deps.db, operationRecord(spec, request));
}

/** The same, claimed (a new claim) for the first attempt; undefined when it was recorded before. */
async function recordOperationClaimed<R extends OperationRequest>(
  deps: OperationDeps,
  spec: OperationSpec<R>,
  request: R,
): Promise<OperationRow | undefined> {
  const { db, workerId, settings } = deps;
  return insertOperationClaimed(db, operationRecord(spec, request), newClaim(workerId), settings.claimTtlMs);
}

/** A claimed operation's attempt count and claim (its fence). */
interface Claimed {
  readonly attempts: number;
  readonly claim: string;
}

function claimOf(operation: OperationRow): Claimed {
  if (operation.claimed_by === null) throw new Error(`operation ${operation.id} was claimed without a claim`);
  return { attempts: operation.attempts, claim: operation.claimed_by };
}

function operationRecord<R extends OperationRequest>(spec: OperationSpec<R>, request: R) {
  const { operationId, appId, hostId, node } = request;
  return { id: operationId, kind: spec.kind, appId, hostId, node, vmid: spec.vmidOf?.(request) ?? null };
}

/** `{ backupId }` for the backup kinds (logs carry it beside the operation id). */
function backupIdField<R extends OperationRequest>(
  spec: OperationSpec<R>,
  request: R,
): { backupId?: string } {
  return spec.backupIdOf ? { backupId: spec.backupIdOf(request) } : {};
}

function assertIdentified(kind: OperationKindName, request: OperationRequest): void {
  const missing = (["operationId", "appId", "hostId", "node"] as const).filter((k) => !request[k]);
  if (missing.length > 0) {
    throw new PermanentFailure(`invalid ${kind} request`, {
      cause: new ValidationError(`The ${kind} request lacks ${missing.join(", ")}`),
    });
  }
}
