/** Start the container, unless it already runs (deploy, start, clone, and the update's rollback). */
import { ProxmoxConflictError, type Upid } from "@proximity/proxmox";
import { readContainerState } from "../container-state.js";
import type { Attempt, HostConnection } from "../context.js";
import { Step, type StepName } from "../step-names.js";
import { taskStep } from "./task-step.js";

export async function startContainer(
  a: Attempt,
  connection: HostConnection,
  vmid: number,
  step: StepName = Step.startContainer,
): Promise<void> {
  await taskStep(a, connection, step, `Starting container ${vmid}`, () =>
    startUnlessRunning(connection, a.request.node, vmid),
  );
}

export async function startUnlessRunning(
  connection: HostConnection,
  node: string,
  vmid: number,
): Promise<Upid | null> {
  if ((await readContainerState(connection, node, vmid)) === "running") return null;
  try {
    return await connection.pve.startContainer(node, vmid);
  } catch (err) {
    // Started between the status check and the call (e.g. onboot after a node restart).
    if (err instanceof ProxmoxConflictError && err.reason === "running") return null;
    throw err;
  }
}
