/**
 * After the last deploy attempt failed: a container this operation created is stopped and
 * destroyed, its root-password secret deleted, the VMID lease released. Each action is best effort
 * and logged: the failure must be reported even when the host cannot be reached.
 */
import { findContainerOfOperation } from "../../db/container.repository.js";
import type { Cleanup } from "../operations/run-operation.js";
import { rootPasswordSecretName } from "../operations/secret-names.js";
import { removeOperationContainer } from "../remove-operation-container.js";
import type { DeployRequest } from "./deploy-context.js";

/** @returns "" (no container is left behind on purpose). */
export async function cleanupFailedDeploy(c: Cleanup<DeployRequest>): Promise<string> {
  const { deps, request, operation: op, traceparent, log } = c;
  const vmid = (await findContainerOfOperation(deps.db, op.id))?.vmid ?? op.vmid;
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
  return "";
}
