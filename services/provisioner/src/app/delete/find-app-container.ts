/**
 * Which container a delete destroys (journaled, so every attempt destroys the same one): the VMID
 * the request names; when it names none (a deploy that failed early), the containers row of the
 * app, else a container on the node carrying the app's mark. A container marked for another app
 * is refused, never destroyed. An unmarked container at the VMID is destroyed only when this app
 * adopted it: otherwise the app's own container was removed behind Proximity's back and the VMID
 * reused by someone else, whose container is left alone.
 */
import { NotFoundError } from "@proximity/errors";
import { findContainerOfApp, isAdoptedBy } from "../../db/container.repository.js";
import { hasProximityTag, markedAppId } from "../../domain/container-marker.js";
import type { HostConnection } from "../operations/context.js";
import { OperationRefusedError } from "../operations/errors.js";
import { runJournaledStep } from "../operations/journal-step.js";
import { Step } from "../operations/step-names.js";
import type { DeleteAttempt } from "./run-delete.js";

const NONE = "none";

/** @returns the VMID to destroy, or null when there is no container (any more). */
export async function findAppContainer(a: DeleteAttempt, connection: HostConnection): Promise<number | null> {
  const detail = await runJournaledStep(
    a,
    Step.findContainer,
    "Looking for the app's container",
    async () => {
      const vmid =
        a.request.vmid || (await findContainerOfApp(a.deps.db, a.request.hostId, a.request.appId))?.vmid;
      const found = vmid ? await checked(a, connection, vmid) : await byMark(a, connection);
      return found === null ? NONE : String(found);
    },
  );
  return detail === null || detail === NONE ? null : Number(detail);
}

async function checked(a: DeleteAttempt, connection: HostConnection, vmid: number): Promise<number | null> {
  const config = await connection.pve.containerConfig(a.request.node, vmid).catch((err: unknown) => {
    if (err instanceof NotFoundError) return null;
    throw err;
  });
  if (config === null) return null; // already gone: counts as deleted
  const owner = markedAppId(config.description);
  if (owner === a.request.appId) return vmid;
  if (owner !== undefined) {
    throw new OperationRefusedError(`Container ${vmid} carries another app's mark; it was not destroyed`);
  }
  if (await isAdoptedBy(a.deps.db, a.request.hostId, vmid, a.request.appId)) return vmid;
  a.log.warn({ vmid }, "the container at the app's VMID is not the app's (no mark); left untouched");
  return null;
}

async function byMark(a: DeleteAttempt, connection: HostConnection): Promise<number | null> {
  const { node, appId } = a.request;
  for (const ct of await connection.pve.listContainers(node)) {
    if (!hasProximityTag(ct.tags)) continue;
    const config = await connection.pve
      .containerConfig(node, ct.vmid)
      .catch(() => ({}) as Record<string, unknown>);
    if (markedAppId(config.description) === appId) return ct.vmid;
  }
  return null;
}
