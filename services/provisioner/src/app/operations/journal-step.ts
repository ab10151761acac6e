/**
 * Runs one journaled step of an operation: skipped when the journal says it is done; otherwise marked
 * running (its progress line reported: progress-reporter.ts), run, and marked done (with the
 * attempt's next journal write: step-journal.ts) or failed.
 */

import { inSpan, noopTracer } from "@proximity/telemetry";
import { findStep, type StepRow } from "../../db/operation-step.repository.js";
import type { Attempt } from "./context.js";
import { OwnershipLostError, StepFailedError } from "./errors.js";
import { protoKind } from "./operation-kind.js";
import type { StepName } from "./step-names.js";

/** How a step is journaled. */
export interface JournalOptions {
  /**
   * False: the step's "running" is not written before its work (one statement fewer), for a step
   * whose retry decides on nothing of it. Its done or failed are written as any step's. Not for a
   * step with a Proxmox task: its UPID is journaled on that row (saveStepUpid updates it).
   */
  readonly journalRunning?: boolean;
}

/**
 * `work` receives the step's journal row from an earlier attempt (with its UPID, if any) and
 * returns the step's detail (kept in the journal, e.g. an IP address). Errors come out wrapped in
 * StepFailedError naming the step. A step that runs is a span (`step <name>`): its Proxmox calls
 * and commands are its children (its progress line is written in a batch: progress-reporter.ts).
 * @returns the detail of the step, from this run or from the journal.
 */
export async function runJournaledStep(
  a: Attempt,
  name: StepName,
  message: string,
  work: (previous: StepRow | undefined) => Promise<string | undefined>,
  options: JournalOptions = {},
): Promise<string | null> {
  const { db } = a.deps;
  const operationId = a.request.operationId;
  a.signal.throwIfAborted();
  // Journal rows are only written under a claim, and the first claim is attempt 1: a first
  // attempt has no earlier journal to consult (one query fewer per step). A first attempt that lost
  // its claim meanwhile is stopped by keepOwnership, as before.
  const previous = a.attempt > 1 ? await findStep(db, operationId, name) : undefined;
  if (previous?.status === "done") return previous.detail;
  const attributes = { "proximity.operation.id": operationId, "proximity.step": name };
  return inSpan(a.deps.tracer ?? noopTracer, `step ${name}`, { attributes }, () =>
    runStepWork(a, name, message, previous, work, options.journalRunning ?? true),
  );
}

async function runStepWork(
  a: Attempt,
  name: StepName,
  message: string,
  previous: StepRow | undefined,
  work: (previous: StepRow | undefined) => Promise<string | undefined>,
  journalRunning: boolean,
): Promise<string | null> {
  if (journalRunning) await a.journal.begin(name);
  a.progress.report({ step: name, message, attempt: a.attempt });
  a.log.info({ step: name }, message);
  let detail: string | undefined;
  try {
    detail = await work(previous);
  } catch (err) {
    // Only the claim's holder journals a failure: a worker that finds its claim gone lost the
    // operation (the new holder carries on) rather than failed it, and says so.
    const lost = await a.journal.failed(name).then(
      () => undefined,
      (e: unknown) => {
        if (e instanceof OwnershipLostError) return e;
        a.log.warn({ err: e, step: name }, "could not journal the failed step");
        return undefined;
      },
    );
    throw lost ?? (err instanceof StepFailedError ? err : new StepFailedError(name, err));
  }
  a.journal.done(name, detail);
  return detail ?? null;
}

/** Wraps an unjournaled step (its result lives in memory only) so failures name it. */
export async function runStep<T>(name: StepName, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw err instanceof StepFailedError ? err : new StepFailedError(name, err);
  }
}

/** Event origin of an attempt. */
export function origin(a: Attempt) {
  return {
    operationId: a.request.operationId,
    kind: protoKind(a.kind),
    appId: a.request.appId,
    traceparent: a.traceparent,
  };
}
