/**
 * After the last clone attempt failed, everything is undone: the new container destroyed (only if
 * it carries this operation's mark), the snapshot of the source removed, the VMID lease released,
 * the copied secrets deleted. Each action is best effort and logged; the failure is reported
 * either way, and a container that could not be destroyed is left to the orphan reconciler (its
 * containers row keeps the VMID reserved).
 */
import { releasePlacedVmid, removePlacedContainer } from "../operations/placement/undo-placement.js";
import type { Cleanup } from "../operations/run-operation.js";
import { removeSnapshotIfPresent, snapshotName } from "../operations/snapshots.js";
import { withConnection } from "../operations/with-connection.js";
import { deleteCopiedSecrets } from "./copy-secrets.js";
import type { CloneRequest } from "./run-clone.js";

export async function cleanupFailedClone(c: Cleanup<CloneRequest>): Promise<string> {
  const { deps, request, traceparent, log } = c;
  await removePlacedContainer(c);
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
  await releasePlacedVmid(c);
  await deleteCopiedSecrets(c);
  return "";
}
