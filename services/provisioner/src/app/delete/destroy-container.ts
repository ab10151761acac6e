/** Stop (when running) and destroy the app's container, each a journaled task; gone counts as done. */
import { NotFoundError } from "@proximity/errors";
import type { Upid } from "@proximity/proxmox";
import { readContainerState } from "../operations/container-state.js";
import type { HostConnection } from "../operations/context.js";
import { ContainerMissingError } from "../operations/errors.js";
import { Step } from "../operations/step-names.js";
import { taskStep } from "../operations/steps/task-step.js";
import type { DeleteAttempt } from "./run-delete.js";

export async function destroyContainer(
  a: DeleteAttempt,
  connection: HostConnection,
  vmid: number,
): Promise<void> {
  const { node } = a.request;
  const { pve } = connection;
  await taskStep(a, connection, Step.stopContainer, `Stopping container ${vmid}`, () =>
    unlessGone(async () =>
      (await readContainerState(connection, node, vmid)) === "running" ? pve.stopContainer(node, vmid) : null,
    ),
  );
  await taskStep(a, connection, Step.destroyContainer, `Destroying container ${vmid}`, () =>
    unlessGone(() => pve.deleteContainer(node, vmid, { purge: true, destroyUnreferencedDisks: true })),
  );
}

/** A container that no longer exists needs no task. */
async function unlessGone(start: () => Promise<Upid | null>): Promise<Upid | null> {
  try {
    return await start();
  } catch (err) {
    if (err instanceof ContainerMissingError || err instanceof NotFoundError) return null;
    throw err;
  }
}
