/** AppActionRequested as the start/stop/restart/update kinds see it. */
import { NotFoundError } from "@proximity/errors";
import type { applicationsEventsV1 } from "@proximity/proto";
import { isAdoptedBy } from "../../db/container.repository.js";
import { markedAppId } from "../../domain/container-marker.js";
import type { Attempt, HostConnection, OperationRequest } from "./context.js";
import { OperationRefusedError } from "./errors.js";

export type ActionRequest = applicationsEventsV1.AppActionRequested;
export type ActionAttempt = Attempt<ActionRequest>;

/** A request about the app's existing container (actions, backups, restores onto the app). */
export type ContainerRequest = OperationRequest & { readonly vmid: number };

/** The container an action is about (refused when the app never got one). */
export function actionVmid(a: Attempt<ContainerRequest>): number {
  if (a.request.vmid <= 0) throw new OperationRefusedError("The app has no container to act on");
  return a.request.vmid;
}

/**
 * The container an action is about, once it is known to be the app's: it carries the app's mark, or
 * (unmarked) the app adopted it. Anything else at that VMID is someone else's and is never touched.
 * A container that is gone is left to the steps (they report it missing).
 */
export async function ownedVmid(a: Attempt<ContainerRequest>, connection: HostConnection): Promise<number> {
  const vmid = actionVmid(a);
  const config = await connection.pve.containerConfig(a.request.node, vmid).catch((err: unknown) => {
    if (err instanceof NotFoundError) return null;
    throw err;
  });
  if (config === null) return vmid;
  const owner = markedAppId(config.description);
  if (owner === a.request.appId) return vmid;
  if (owner === undefined && (await isAdoptedBy(a.deps.db, a.request.hostId, vmid, a.request.appId)))
    return vmid;
  throw new OperationRefusedError(`Container ${vmid} is not this app's; it was left untouched`);
}
