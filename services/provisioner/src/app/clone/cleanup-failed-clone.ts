/**
 * After the last clone attempt failed, everything is undone: the new container destroyed (only if
 * it carries this operation's mark), the snapshot of the source removed, the VMID lease released,
 * the copied secrets deleted. Each action is best effort and logged; the failure is reported
 * either way, and a container that could not be destroyed is left to the orphan reconciler (its
 * containers row keeps the VMID reserved).
 */
import { NotFoundError } from "@proximity/errors";
import { findContainerOfOperation } from "../../db/container.repository.js";
import type { Cleanup } from "../operations/run-operation.js";
import { removeSnapshotIfPresent, snapshotName } from "../operations/snapshots.js";
import { withConnection } from "../operations/with-connection.js";
import { removeOperationContainer } from "../remove-operation-container.js";
import { copiedSecretNames } from "./copy-secrets.js";
import type { CloneRequest } from "./run-clone.js";

export async function cleanupFailedClone(c: Cleanup<CloneRequest>): Promise<string> {
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
  const name = snapshotName("cln", request.operationId);
  await withConnection(deps, request, traceparent, (connection) =>
    removeSnapshotIfPresent(connection, deps.settings, {
      node: request.node,
      vmid: request.sourceVmid,
      name,
    }),
  )
    .then((removed) => removed && log.info({ snapshot: name }, "snapshot of the source removed"))
    .catch((err: unknown) =>
      log.warn({ err, snapshot: name }, "could not remove the snapshot of the source"),
    );
  if (op.vmid !== null) {
    await deps.leases
      .releaseIfHeld(request.hostId, op.vmid, request.operationId)
      .catch((err: unknown) => log.warn({ err, vmid: op.vmid }, "could not release the VMID lease"));
  }
  for (const [, copy] of copiedSecretNames(c)) {
    await deps.peers.secrets.deleteSecret({ name: copy }, { traceparent }).catch((err: unknown) => {
      if (!(err instanceof NotFoundError)) log.warn({ err }, "could not delete a copied secret");
    });
  }
  return "";
}
