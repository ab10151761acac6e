/**
 * After the last deploy attempt failed: a container this operation created is stopped and
 * destroyed, its root-password secret deleted, the VMID lease released. Each action is best effort
 * and logged: the failure must be reported even when the host cannot be reached.
 */

import { releasePlacedVmid, removePlacedContainer } from "../operations/placement/undo-placement.js";
import type { Cleanup } from "../operations/run-operation.js";
import { rootPasswordSecretName } from "../operations/secret-names.js";
import type { DeployRequest } from "./deploy-context.js";

/** @returns "" (no container is left behind on purpose). */
export async function cleanupFailedDeploy(c: Cleanup<DeployRequest>): Promise<string> {
  const { deps, request, traceparent, log } = c;
  await removePlacedContainer(c);
  await deps.peers.secrets
    .deleteSecret({ name: rootPasswordSecretName(request.appId) }, { traceparent })
    .then(() => log.info("root password secret deleted"))
    .catch((err: unknown) => log.warn({ err }, "could not delete the root password secret"));
  await releasePlacedVmid(c);
  return "";
}
