/** A journaled step whose effect is one Proxmox task (power actions, snapshots). */
import type { Upid } from "@proximity/proxmox";
import type { Attempt, HostConnection } from "../context.js";
import { runJournaledStep } from "../journal-step.js";
import { runProxmoxTask } from "../proxmox-task.js";
import type { StepName } from "../step-names.js";

/**
 * Runs `start` (null = nothing to do, e.g. already in the wanted state) unless the journal has the
 * step done; a journaled UPID is polled instead of starting the task again (up to `timeoutMs`,
 * default the configured task timeout).
 */
export async function taskStep(
  a: Attempt,
  connection: HostConnection,
  step: StepName,
  message: string,
  start: () => Promise<Upid | null>,
  timeoutMs?: number,
): Promise<void> {
  await runJournaledStep(a, step, message, async (previous) => {
    await runProxmoxTask(a, connection, step, previous, start, timeoutMs);
    return undefined;
  });
}
