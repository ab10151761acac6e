/** Start the container, unless it already runs (deploy, start, clone, and the update's rollback). */
import { NotFoundError } from "@proximity/errors";
import { ProxmoxConflictError, type Upid } from "@proximity/proxmox";
import type { Attempt, HostConnection } from "../context.js";
import { ContainerMissingError } from "../errors.js";
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

/**
 * The start task's UPID, or null when the container already runs. Proxmox checks the state
 * before it starts a task (a running container answers "CT <id> already running"), so asking for
 * the state first would only add a round trip; that answer is not counted against the host's
 * circuit breaker (not transient).
 */
async function startUnlessRunning(
  connection: HostConnection,
  node: string,
  vmid: number,
): Promise<Upid | null> {
  try {
    return await connection.pve.startContainer(node, vmid);
  } catch (err) {
    if (err instanceof ProxmoxConflictError && err.reason === "running") return null;
    // As a state read would have said it: the node has no such container (permanent).
    if (err instanceof NotFoundError) throw new ContainerMissingError(vmid, node);
    throw err;
  }
}
