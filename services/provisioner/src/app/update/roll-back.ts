/**
 * Rolling a failed update back: stop, rollback to the snapshot, start, compose up, verify; then
 * the snapshot is deleted and the operation ends failed with the container's state. Every step is
 * journaled, so a delivery that finds the decision in the journal resumes here.
 */
import type { ActionAttempt } from "../operations/action-request.js";
import { probeContainerState, readContainerState } from "../operations/container-state.js";
import type { HostConnection } from "../operations/context.js";
import { OwnershipLostError } from "../operations/errors.js";
import { explainFailure, failureOf } from "../operations/failure-reason.js";
import { failNow } from "../operations/run-operation.js";
import { deleteSnapshot } from "../operations/snapshots.js";
import { STEP_PHRASES, Step } from "../operations/step-names.js";
import { startApp } from "../operations/steps/start-app.js";
import { startContainer } from "../operations/steps/start-container.js";
import { taskStep } from "../operations/steps/task-step.js";
import { verifyApp } from "../operations/steps/verify-app.js";

/** What failed, in words users read (the quoted output was masked where it was captured). */
export function updateFailureReason(error: unknown, attempts: number): string {
  const { step } = failureOf(error);
  const during = step ? ` while ${STEP_PHRASES[step]}` : "";
  return `The update failed${during}: ${explainFailure(error, attempts)}`;
}

export async function rollBack(
  a: ActionAttempt,
  connection: HostConnection,
  vmid: number,
  snapshot: string,
  reason: string,
): Promise<void> {
  const { node } = a.request;
  // The decision first: from now on every delivery resumes the rollback, never the update.
  await a.journal.begin(Step.rollback, reason);
  await taskStep(a, connection, Step.rollbackStop, `Stopping container ${vmid} for the rollback`, async () =>
    (await readContainerState(connection, node, vmid)) === "running"
      ? connection.pve.stopContainer(node, vmid)
      : null,
  );
  await taskStep(a, connection, Step.rollbackSnapshot, `Rolling back to snapshot ${snapshot}`, () =>
    connection.pve.rollbackSnapshot(node, vmid, snapshot),
  );
  await startContainer(a, connection, vmid, { step: Step.rollbackStart });
  let runsAsBefore = true;
  try {
    await startApp(a, connection, vmid, Step.rollbackStartApp);
    await verifyApp(a, connection, vmid, {
      step: Step.rollbackVerify,
      message: "Checking the app runs as before the update",
      waitMs: a.deps.settings.updateHealthTimeoutMs,
      intervalMs: a.deps.settings.updateHealthIntervalMs,
    });
  } catch (err) {
    if (err instanceof OwnershipLostError || a.signal.aborted) throw err;
    a.log.error({ err }, "the rolled-back app does not run as before");
    runsAsBefore = false;
  }
  await deleteSnapshot(a, connection, vmid, snapshot);
  a.journal.done(Step.rollback);
  const state = await probeContainerState(connection, node, vmid);
  await failNow(
    a,
    runsAsBefore
      ? `${reason}; the app was rolled back to its state before the update`
      : `${reason}; the container was rolled back to its state before the update, but the app does not run`,
    state,
  );
}
