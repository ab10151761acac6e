/**
 * Other containers recorded for the app on the host (e.g. a deploy whose result came after its
 * deadline, while a retry made another): each one that still carries the app's mark is stopped and
 * destroyed, so deleting an app leaves none of its containers behind. Unmarked ones are left alone
 * (never destroy what may not be ours). Idempotent: a container already gone is done.
 */
import { NotFoundError } from "@proximity/errors";
import { otherVmidsOfApp } from "../../db/container.repository.js";
import { markedAppId } from "../../domain/container-marker.js";
import { readContainerState } from "../operations/container-state.js";
import type { HostConnection } from "../operations/context.js";
import { ContainerMissingError } from "../operations/errors.js";
import { runJournaledStep } from "../operations/journal-step.js";
import { Step } from "../operations/step-names.js";
import type { DeleteAttempt } from "./run-delete.js";

export async function destroyStrayContainers(
  a: DeleteAttempt,
  connection: HostConnection,
  destroyed: number | null,
): Promise<void> {
  const { hostId, appId } = a.request;
  const strays = await otherVmidsOfApp(a.deps.db, hostId, appId, destroyed);
  if (strays.length === 0) return;
  await runJournaledStep(a, Step.destroyStrays, "Destroying other containers made for the app", async () => {
    for (const stray of strays) await destroyIfMarked(a, connection, stray.node, stray.vmid);
    return undefined;
  });
}

async function destroyIfMarked(a: DeleteAttempt, connection: HostConnection, node: string, vmid: number) {
  const { pve } = connection;
  const wait = (upid: Awaited<ReturnType<typeof pve.stopContainer>>) =>
    pve.waitForTask(upid, {
      timeoutMs: a.deps.settings.taskTimeoutMs,
      intervalMs: a.deps.settings.taskPollIntervalMs,
      signal: a.signal,
    });
  try {
    const config = await pve.containerConfig(node, vmid);
    if (markedAppId(config.description) !== a.request.appId) return;
    if ((await readContainerState(connection, node, vmid)) === "running")
      await wait(await pve.stopContainer(node, vmid));
    await wait(await pve.deleteContainer(node, vmid, { purge: true, destroyUnreferencedDisks: true }));
    a.log.info({ vmid }, "destroyed another container of the deleted app");
  } catch (err) {
    if (err instanceof ContainerMissingError || err instanceof NotFoundError) return;
    throw err;
  }
}
