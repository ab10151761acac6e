/**
 * Restore into a new app: the archive is restored onto a VMID leased as deploys and clones lease
 * one (operations/placement: lease, containers row, "already exists" judged by the mark given at
 * restore time), with the new hostname and a fresh MAC address. Then, as a clone: marked for the
 * new app, started, the source's secrets copied under the new app's names, the app directory
 * renamed and PROXIMITY_PORT set to the new port in its .env (through stdin), compose up and
 * verified (adopted: the container only). After the last failed attempt everything is undone. After
 * the request's deadline no restore is begun (one an earlier attempt started is still followed).
 */

import { findStep } from "../../db/operation-step.repository.js";
import { containerDescription, PROXIMITY_TAG } from "../../domain/container-marker.js";
import { bringUpCopy } from "../clone/bring-up-copy.js";
import { findArchive, withArchiveFailures } from "../operations/archives.js";
import type { HostConnection } from "../operations/context.js";
import { DeadlinePassedError, isLate, stepStarted, TooLate } from "../operations/deadline.js";
import { ArchiveOperationError } from "../operations/errors.js";
import { runStep } from "../operations/journal-step.js";
import type { ContainerCreator } from "../operations/placement/create-on-vmid.js";
import { placeContainer } from "../operations/placement/place-container.js";
import { completeOperation } from "../operations/run-operation.js";
import { Step } from "../operations/step-names.js";
import { connect } from "../operations/steps/connect.js";
import type { RestoreAttempt } from "./run-restore.js";

export async function restoreIntoNewApp(a: RestoreAttempt): Promise<void> {
  const { node, volid, storage, backupId } = a.request;
  // Past the deadline: refused, and the cleanup undoes what an earlier attempt did (lease, container).
  if (isLate(a.request.notAfter) && !(await stepStarted(a, Step.restoreContainer)))
    throw new DeadlinePassedError(TooLate.restore);
  const connection = await connect(a);
  if (!(await findStep(a.deps.db, a.request.operationId, Step.restoreContainer))) {
    await runStep(Step.checkArchive, async () => {
      if (!(await findArchive(connection, node, storage, volid)))
        throw new ArchiveOperationError("The archive is no longer on its storage");
    });
  }
  const vmid = await withArchiveFailures(storage, "restore", () =>
    placeContainer(a, connection, restoreCreator(a, connection)),
  );
  const ipAddress = await bringUpCopy(a, connection, vmid);
  await completeOperation(a, {
    vmid,
    ipAddress,
    containerStatus: "running",
    message: "Restored from a backup of another app",
    backupId,
  });
}

/** How a restore brings the new app's container into existence on a chosen VMID. */
function restoreCreator(a: RestoreAttempt, connection: HostConnection): ContainerCreator {
  const { node, volid, hostname, appId, operationId } = a.request;
  return {
    step: Step.restoreContainer,
    message: (vmid) => `Restoring ${volid} into container ${vmid}`,
    taskTimeoutMs: a.deps.settings.backupTaskTimeoutMs,
    start: (vmid) =>
      connection.pve.restoreContainer(node, {
        vmid,
        archive: volid,
        storage: a.deps.settings.lxcStorage,
        hostname,
        // The source may run beside it: a MAC address of its own.
        unique: true,
        // The mark at creation: a retry recognises the container as its own ("already exists").
        description: containerDescription(appId, operationId),
        tags: PROXIMITY_TAG,
      }),
  };
}
