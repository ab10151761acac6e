/**
 * Which container a delete destroys (journaled, so every attempt destroys the same one): the VMID
 * the request names; when it names none (a deploy that failed early), the containers row of the
 * app, else a container on the node carrying the app's mark. A container marked for another app
 * is refused, never destroyed. An unmarked container at the VMID is destroyed only when this app
 * adopted it: otherwise the app's own container was removed behind Proximity's back and the VMID
 * reused by someone else, whose container is left alone.
 *
 * The search by mark reads the configuration of every Proximity container on the node, a few at a
 * time, each read tried again when it fails: a configuration that could not be read is never taken
 * for "not the app's" (the delete would then leave the app's container behind as an orphan).
 */
import { NotFoundError, PermissionDeniedError } from "@proximity/errors";
import { ProxmoxAuthError } from "@proximity/proxmox";
import { findContainerOfApp, isAdoptedBy } from "../../db/container.repository.js";
import { hasProximityTag, markedAppId } from "../../domain/container-marker.js";
import { mapLimit } from "../map-limit.js";
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

/** Configurations read at once while searching by mark. */
const SCAN_CONCURRENCY = 8;
/** Tries of each read before the attempt fails (and the delivery is retried). */
const READ_TRIES = 4;

async function byMark(a: DeleteAttempt, connection: HostConnection): Promise<number | null> {
  const { node, appId } = a.request;
  const tagged = (await connection.pve.listContainers(node)).filter((ct) => hasProximityTag(ct.tags));
  let found: number | null = null;
  await mapLimit(tagged, SCAN_CONCURRENCY, async (ct) => {
    if (found !== null || a.signal.aborted) return;
    const config = await readConfig(connection, node, ct.vmid);
    if (config !== null && markedAppId(config.description) === appId) found = ct.vmid;
  });
  a.signal.throwIfAborted();
  return found;
}

/** A container's configuration; null when it vanished meanwhile (not the app's, then). */
async function readConfig(
  connection: HostConnection,
  node: string,
  vmid: number,
): Promise<{ description?: unknown } | null> {
  for (let tried = 1; ; tried++) {
    try {
      return await connection.pve.containerConfig(node, vmid);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      const final = err instanceof ProxmoxAuthError || err instanceof PermissionDeniedError;
      if (final || tried >= READ_TRIES) throw err;
      await new Promise((r) => setTimeout(r, 100 * tried));
    }
  }
}
