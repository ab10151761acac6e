/**
 * Checks the container is in the state an operation wanted, and reads its address. Used where no
 * compose project of ours runs in it (adopted containers) or none should run (stopped).
 */
import { InternalError } from "@proximity/errors";
import { type ContainerState, containerAddress, readContainerState } from "../container-state.js";
import type { Attempt, HostConnection } from "../context.js";
import { runJournaledStep } from "../journal-step.js";
import { Step } from "../step-names.js";

/** @returns the container's IPv4 address when it runs ("" when Proxmox does not know it). */
export async function verifyContainer(
  a: Attempt,
  connection: HostConnection,
  vmid: number,
  wanted: ContainerState,
): Promise<string> {
  const detail = await runJournaledStep(
    a,
    Step.verifyContainer,
    `Checking container ${vmid} is ${wanted}`,
    async () => {
      const state = await readContainerState(connection, a.request.node, vmid);
      if (state !== wanted) throw new InternalError(`Container ${vmid} is ${state}, not ${wanted}`);
      return wanted === "running" ? await containerAddress(connection, a.request.node, vmid) : "";
    },
  );
  return detail ?? "";
}
