/**
 * After the last attempt at a restore into a new app failed, everything is undone as for a clone:
 * the new container destroyed (only if it carries this operation's mark), the VMID lease released,
 * the copied secrets deleted. Each action is best effort and logged; a container that could not be
 * destroyed is left to the orphan reconciler (its containers row keeps the VMID reserved).
 */
import { deleteCopiedSecrets } from "../clone/copy-secrets.js";
import { releasePlacedVmid, removePlacedContainer } from "../operations/placement/undo-placement.js";
import type { Cleanup } from "../operations/run-operation.js";
import type { RestoreRequest } from "./run-restore.js";

/** @returns "" (no container is left behind on purpose). */
export async function cleanupFailedRestoreIntoNewApp(c: Cleanup<RestoreRequest>): Promise<string> {
  await removePlacedContainer(c);
  await releasePlacedVmid(c);
  await deleteCopiedSecrets(c);
  return "";
}
