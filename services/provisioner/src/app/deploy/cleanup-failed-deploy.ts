/**
 * After the last attempt failed: cleanup is part of the operation. A container this operation
 * created is stopped and destroyed, its root-password secret deleted, the VMID lease released;
 * then the operation is marked failed and OperationFailed (with a safe reason) is recorded in the
 * same transaction. Each cleanup action is best effort and logged: the failure must be reported
 * even when the host cannot be reached.
 */
import type { MessageContext } from "@proximity/bus";
import { NotFoundError } from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import { findContainerOfOperation, releaseVmid } from "../../db/container.repository.js";
import { claimOperation, finishOperation, type OperationRow } from "../../db/operation.repository.js";
import { isCreatedBy } from "../../domain/container-marker.js";
import { addFailed } from "../../events/publish.js";
import type { DeployDeps, DeployRequest, HostConnection } from "./deploy-context.js";
import { explainFailure } from "./failure-reason.js";
import { rootPasswordSecretName } from "./steps/create-container.js";
import { resolveConnection } from "./steps/resolve-connection.js";

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
  await removeContainer(deps, request, op, traceparent, log);
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

/**
 * Destroys the container if this operation created it (its description carries our mark), then
 * drops the containers row. If the host cannot be reached the row stays: it keeps the VMID from
 * being reused while an orphan may still exist.
 */
async function removeContainer(
  deps: DeployDeps,
  request: DeployRequest,
  op: OperationRow,
  traceparent: string,
  log: Logger,
): Promise<void> {
  const vmid = (await findContainerOfOperation(deps.db, op.id))?.vmid ?? op.vmid;
  if (vmid === null) return;
  let connection: HostConnection | undefined;
  try {
    connection = await resolveConnection(deps, request, { traceparent });
    await destroyIfOurs(deps, connection, request.node, vmid, op.id, log);
    await releaseVmid(deps.db, op.id, request.hostId, vmid);
  } catch (err) {
    log.error({ err, vmid }, "could not remove the container; its VMID stays reserved");
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

async function destroyIfOurs(
  deps: DeployDeps,
  connection: HostConnection,
  node: string,
  vmid: number,
  operationId: string,
  log: Logger,
): Promise<void> {
  const { pve } = connection;
  const wait = { timeoutMs: deps.settings.taskTimeoutMs, intervalMs: deps.settings.taskPollIntervalMs };
  const config = await pve.containerConfig(node, vmid).catch((err: unknown) => {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  });
  if (!config) return log.info({ vmid }, "no container to remove");
  if (!isCreatedBy(config, operationId)) return log.info({ vmid }, "container is not ours; left alone");
  if ((await pve.containerStatus(node, vmid)).status === "running") {
    await pve.waitForTask(await pve.stopContainer(node, vmid), wait);
    log.info({ vmid }, "container stopped");
  }
  await pve.waitForTask(await pve.deleteContainer(node, vmid, { purge: true }), wait);
  log.info({ vmid }, "container destroyed");
}
