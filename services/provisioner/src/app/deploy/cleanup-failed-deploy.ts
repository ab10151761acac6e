/**
 * After the last attempt failed: cleanup is part of the operation. A container this operation
 * created is stopped and destroyed, its root-password secret deleted, the VMID lease released;
 * then the operation is marked failed and OperationFailed (with a safe reason) is recorded in the
 * same transaction. Each cleanup action is best effort and logged: the failure must be reported
 * even when the host cannot be reached.
 */
import type { MessageContext } from "@proximity/bus";
import { findContainerOfOperation } from "../../db/container.repository.js";
import { claimOperation, finishOperation } from "../../db/operation.repository.js";
import { addFailed } from "../../events/publish.js";
import { removeOperationContainer } from "../remove-operation-container.js";
import type { DeployDeps, DeployRequest } from "./deploy-context.js";
import { explainFailure } from "./failure-reason.js";
import { rootPasswordSecretName } from "./steps/create-container.js";

export async function cleanupFailedDeploy(
  deps: DeployDeps,
  request: DeployRequest,
  ctx: MessageContext,
  error: unknown,
): Promise<void> {
  const { db, workerId, settings } = deps;
  const log = ctx.log.child({ operationId: request.operationId, appId: request.appId, cleanup: true });
  const op = await claimOperation(db, request.operationId, workerId, settings.claimTtlMs, false);
  if (!op) {
    // Finished, unknown, or claimed by a worker handling a duplicate delivery: not ours to fail.
    log.warn("operation not claimable; leaving it to its current state");
    return;
  }
  const reason = explainFailure(error, op.attempts);
  const traceparent = ctx.traceparent;
  const vmid = (await findContainerOfOperation(db, op.id))?.vmid ?? op.vmid;
  if (vmid !== null) {
    await removeOperationContainer(
      deps,
      { hostId: request.hostId, node: request.node, vmid, operationId: op.id },
      traceparent,
      log,
    );
  }
  await deps.peers.secrets
    .deleteSecret({ name: rootPasswordSecretName(request.appId) }, { traceparent })
    .then(() => log.info("root password secret deleted"))
    .catch((err: unknown) => log.warn({ err }, "could not delete the root password secret"));
  if (op.vmid !== null) {
    await deps.leases
      .releaseIfHeld(request.hostId, op.vmid, request.operationId)
      .catch((err: unknown) =>
        log.warn({ err, vmid: op.vmid }, "could not release the VMID lease; it expires on its own"),
      );
  }
  await db.transaction().execute(async (trx) => {
    if (!(await finishOperation(trx, op.id, workerId, "failed", reason))) return;
    await addFailed(
      trx,
      { operationId: op.id, appId: op.app_id, traceparent },
      { reason, attempts: op.attempts },
    );
  });
  log.warn({ reason, attempts: op.attempts }, "deploy failed");
}
