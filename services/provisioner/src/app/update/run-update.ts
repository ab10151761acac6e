/**
 * UPDATE: snapshot → new compose file and .env (stdin) → `docker compose pull` → `up -d
 * --remove-orphans` → health check (every service running, none unhealthy, polled for
 * UPDATE_HEALTH_TIMEOUT_MS) → snapshot deleted, OperationSucceeded.
 *
 * Which failures are retried: everything before the snapshot exists (secrets service, host
 * unreachable, the snapshot task) is transient infrastructure and retried with the usual backoff;
 * nothing has changed yet. Once the snapshot exists, the first failure of the update itself (a
 * pull, the recreate, the health check, or a cut connection) ends the update at once: the decision
 * to roll back is journaled (step `rollback`, detail = the reason) and the rollback runs — stop,
 * rollback to the snapshot, start, compose up, verify — then the snapshot is deleted and
 * OperationFailed reports the container's state ("running" when the app runs as before). A
 * rollback that cannot finish (host gone) is retried by later deliveries, which resume it and
 * never retry the update. Adopted containers run no compose project of ours: refused.
 */
import { findStep } from "../../db/operation-step.repository.js";
import { type ActionAttempt, type ActionRequest, actionVmid } from "../operations/action-request.js";
import { prepareEnvFile } from "../operations/app-env.js";
import { OperationRefusedError, OwnershipLostError } from "../operations/errors.js";
import { completeOperation, type OperationSpec } from "../operations/run-operation.js";
import { deleteSnapshot, snapshotName, takeSnapshot } from "../operations/snapshots.js";
import { Step } from "../operations/step-names.js";
import { connect } from "../operations/steps/connect.js";
import { applyUpdate } from "./apply-update.js";
import { cleanupFailedUpdate } from "./cleanup-failed-update.js";
import { rollBack, updateFailureReason } from "./roll-back.js";

export const updateSpec: OperationSpec<ActionRequest> = {
  kind: "update",
  vmidOf: (r) => r.vmid || null,
  run: runUpdate,
  cleanup: cleanupFailedUpdate,
};

async function runUpdate(a: ActionAttempt): Promise<void> {
  const { request } = a;
  if (request.adopted) {
    throw new OperationRefusedError("An adopted container runs no app of Proximity's: it cannot be updated");
  }
  if (!request.compose) throw new OperationRefusedError("The update carries no compose file");
  const vmid = actionVmid(a);
  const snapshot = snapshotName("upd", request.operationId);
  const decided = await findStep(a.deps.db, request.operationId, Step.rollback);
  if (decided) return rollBack(a, await connect(a), vmid, snapshot, decided.detail ?? "The update failed");

  const env = await prepareEnvFile(a); // refuses bad input (app id, variables) before any effect
  const connection = await connect(a);

  await takeSnapshot(a, connection, vmid, snapshot);
  let ipAddress: string;
  try {
    ipAddress = await applyUpdate(a, connection, vmid, env);
  } catch (err) {
    if (err instanceof OwnershipLostError || a.signal.aborted) throw err; // the new owner continues
    const reason = updateFailureReason(err, a.attempt);
    a.log.warn({ err, reason }, "update failed; rolling back to the snapshot");
    return rollBack(a, connection, vmid, snapshot, reason);
  }
  await deleteSnapshot(a, connection, vmid, snapshot);
  await completeOperation(a, {
    vmid,
    ipAddress,
    containerStatus: "running",
    message: "updated; snapshot removed",
  });
}
