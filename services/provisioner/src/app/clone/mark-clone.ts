/**
 * A container copied from another app's (a clone, or a restore into a new app) is the new app's:
 * tag added (an adopted source may have none) and the description naming the new app and this
 * operation (the source's mark came with its config).
 */
import { containerDescription, withProximityTag } from "../../domain/container-marker.js";
import type { Attempt, HostConnection } from "../operations/context.js";
import { runJournaledStep } from "../operations/journal-step.js";
import { Step } from "../operations/step-names.js";

export async function markClone(a: Attempt, connection: HostConnection, vmid: number): Promise<void> {
  const { node, appId, operationId } = a.request;
  await runJournaledStep(a, Step.markClone, `Marking container ${vmid} as the new app's`, async () => {
    const config = await connection.pve.containerConfig(node, vmid);
    await connection.pve.updateContainerConfig(node, vmid, {
      tags: withProximityTag(config.tags),
      description: containerDescription(appId, operationId),
    });
    return undefined;
  });
}
