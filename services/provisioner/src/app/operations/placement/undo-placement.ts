/**
 * Undoing a placement after the last attempt of a deploy or a clone failed: the container the
 * operation created is removed and its VMID lease released. Both are best effort and logged, so
 * the failure is reported even when the host cannot be reached; a container that could not be
 * removed is left to the orphan reconciler (its containers row keeps the VMID reserved).
 */
import { findContainerOfOperation } from "../../../db/container.repository.js";
import { removeOperationContainer } from "../../remove-operation-container.js";
import type { OperationRequest } from "../context.js";
import type { Cleanup } from "../run-operation.js";

/**
 * Removes the operation's container (only if it carries the operation's mark): the VMID of its
 * containers row, else the one the journal chose.
 */
export async function removePlacedContainer(c: Cleanup<OperationRequest>): Promise<void> {
  const { deps, request, operation: op, traceparent, log } = c;
  const vmid = (await findContainerOfOperation(deps.db, op.id))?.vmid ?? op.vmid;
  if (vmid === null) return;
  await removeOperationContainer(
    deps,
    { hostId: request.hostId, node: request.node, vmid, operationId: op.id },
    traceparent,
    log,
  );
}

/** Releases the lease on the VMID the journal chose, if the operation still holds it. */
export async function releasePlacedVmid(c: Cleanup<OperationRequest>): Promise<void> {
  const { deps, request, operation: op, log } = c;
  if (op.vmid === null) return;
  await deps.leases
    .releaseIfHeld(request.hostId, op.vmid, request.operationId)
    .catch((err: unknown) =>
      log.warn({ err, vmid: op.vmid }, "could not release the VMID lease; it expires on its own"),
    );
}
