/** Step 4: start the container, unless it already runs. */
import { ProxmoxConflictError, type Upid } from "@proximity/proxmox";
import type { DeployAttempt, HostConnection } from "../deploy-context.js";
import { runJournaledStep } from "../journal-step.js";
import { runProxmoxTask } from "../proxmox-task.js";
import { DeployStep } from "../step-names.js";

export async function startContainer(
  a: DeployAttempt,
  connection: HostConnection,
  vmid: number,
): Promise<void> {
  await runJournaledStep(a, DeployStep.startContainer, `Starting container ${vmid}`, async (previous) => {
    await runProxmoxTask(a, connection, DeployStep.startContainer, previous, () =>
      startUnlessRunning(connection, a.request.node, vmid),
    );
    return undefined;
  });
}

async function startUnlessRunning(
  connection: HostConnection,
  node: string,
  vmid: number,
): Promise<Upid | null> {
  if ((await connection.pve.containerStatus(node, vmid)).status === "running") return null;
  try {
    return await connection.pve.startContainer(node, vmid);
  } catch (err) {
    // Started between the status check and the call (e.g. onboot after a node restart).
    if (err instanceof ProxmoxConflictError && err.reason === "running") return null;
    throw err;
  }
}
