/**
 * After the last update attempt failed. Before any rollback decision nothing of the app changed
 * except perhaps the snapshot: it is removed. When a rollback was decided but could not finish
 * (host unreachable), the snapshot is the way back: it is kept for an operator. Either way the
 * container's state is reported when the host answers ("" when it does not).
 */
import { findStep } from "../../db/operation-step.repository.js";
import type { ActionRequest } from "../operations/action-request.js";
import { probeContainerState } from "../operations/container-state.js";
import type { Cleanup } from "../operations/run-operation.js";
import { removeSnapshotIfPresent, snapshotName } from "../operations/snapshots.js";
import { Step } from "../operations/step-names.js";
import { withConnection } from "../operations/with-connection.js";

export async function cleanupFailedUpdate(c: Cleanup<ActionRequest>): Promise<string> {
  const { deps, request, traceparent, log } = c;
  if (request.vmid <= 0) return "";
  const rollback = await findStep(deps.db, request.operationId, Step.rollback);
  const name = snapshotName("upd", request.operationId);
  return withConnection(deps, request, traceparent, async (connection) => {
    if (rollback) {
      log.error({ vmid: request.vmid, snapshot: name }, "rollback unfinished; snapshot kept for an operator");
    } else if (
      await removeSnapshotIfPresent(connection, deps.settings, {
        node: request.node,
        vmid: request.vmid,
        name,
      })
    ) {
      log.info({ snapshot: name }, "snapshot removed");
    }
    return probeContainerState(connection, request.node, request.vmid);
  }).catch((err: unknown) => {
    log.warn({ err }, "could not reach the host after the failed update");
    return "";
  });
}
