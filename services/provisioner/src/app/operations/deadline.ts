/**
 * Late requests (deploys, backups, restores): a request delivered after its deadline (a provisioner that was
 * down, a long redelivery) must not begin anything that changes the container or the storage, since
 * the app is its owner's again. A task an earlier attempt started is still followed to its end: the
 * journal has its UPID, and it is polled as before.
 */
import { findStep } from "../../db/operation-step.repository.js";
import { deadlinePassed } from "../../domain/deadline.js";
import type { Attempt } from "./context.js";
import { OperationRefusedError } from "./errors.js";
import type { StepName } from "./step-names.js";

/** The request's deadline passed before its work began: refused for good (cleanup, OperationFailed). */
export class DeadlinePassedError extends OperationRefusedError {}

/** The reasons users read (OperationFailed.reason). */
export const TooLate = {
  deploy: "The deployment was not started before its deadline (its node stayed busy); nothing was created",
  backup: "The backup was not started before its deadline; nothing was changed",
  restore: "The restore was not started before its deadline; nothing was changed",
  /** A restore onto the app whose earlier attempt stopped the container or tried the restore task. */
  restoreResumed:
    "The restore was not finished before its deadline and is not retried; the container was left as an earlier attempt left it",
} as const;

/** Whether the deadline has passed now. */
export function isLate(notAfter: Date | undefined): boolean {
  return deadlinePassed(notAfter, new Date());
}

/** Whether an earlier attempt started `step`'s task (its UPID is journaled) or finished the step. */
export async function stepStarted(a: Attempt, step: StepName): Promise<boolean> {
  const row = await findStep(a.deps.db, a.request.operationId, step);
  return row !== undefined && (row.status === "done" || row.upid !== null);
}
