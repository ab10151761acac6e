/** Start the container, unless it already runs (deploy, start, clone, and the update's rollback). */
import { ProxmoxConflictError, type Upid } from "@proximity/proxmox";
import { readContainerState } from "../container-state.js";
import type { Attempt, HostConnection } from "../context.js";
import { Step, type StepName } from "../step-names.js";
import { taskStep } from "./task-step.js";

export interface StartOptions {
  readonly step?: StepName;
  /**
   * This attempt created the container moments ago (a deploy's first attempt): it exists, on this
   * node, stopped, so its state is not read first (one Proxmox round trip less). Anywhere else the
   * read stays: Proxmox checks only the running state before it starts a task, so a container
   * deleted behind Proximity's back would get a start task that fails later, where the read fails
   * at once, for good (ContainerMissingError).
   */
  readonly justCreated?: boolean;
}

export async function startContainer(
  a: Attempt,
  connection: HostConnection,
  vmid: number,
  options: StartOptions = {},
): Promise<void> {
  const step = options.step ?? Step.startContainer;
  await taskStep(a, connection, step, `Starting container ${vmid}`, () =>
    startUnlessRunning(connection, a.request.node, vmid, options.justCreated ?? false),
  );
}

async function startUnlessRunning(
  connection: HostConnection,
  node: string,
  vmid: number,
  justCreated: boolean,
): Promise<Upid | null> {
  if (!justCreated && (await readContainerState(connection, node, vmid)) === "running") return null;
  try {
    return await connection.pve.startContainer(node, vmid);
  } catch (err) {
    // Started meanwhile (e.g. onboot after a node restart), after the read or without one.
    if (err instanceof ProxmoxConflictError && err.reason === "running") return null;
    throw err;
  }
}
