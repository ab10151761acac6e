/** How a clone brings its container into existence: a full clone of the source (from a snapshot when any). */
import { containerDescription } from "../../domain/container-marker.js";
import type { HostConnection } from "../operations/context.js";
import type { ContainerCreator } from "../operations/placement/create-on-vmid.js";
import { Step } from "../operations/step-names.js";
import type { CloneAttempt } from "./run-clone.js";

export function cloneCreator(
  a: CloneAttempt,
  connection: HostConnection,
  snapname: string | undefined,
): ContainerCreator {
  const { node, sourceVmid, hostname, appId, operationId } = a.request;
  return {
    step: Step.cloneContainer,
    message: (vmid) => `Cloning container ${sourceVmid} to ${vmid}`,
    start: (vmid) =>
      connection.pve.cloneContainer(node, sourceVmid, {
        newid: vmid,
        ...(hostname ? { hostname } : {}),
        full: true,
        // The mark at creation: a retry recognises the clone as its own ("already exists").
        description: containerDescription(appId, operationId),
        ...(snapname ? { snapname } : {}),
      }),
  };
}
