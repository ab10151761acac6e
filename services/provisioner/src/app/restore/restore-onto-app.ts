/**
 * Restore onto the app's own container (`pct restore --force` semantics on the same VMID): the
 * container must be the app's (its mark, or adopted by it) when it exists, and the archive must be
 * on its storage, both checked before anything is touched; then stop, restore (journaled task),
 * start when it ran before, verify. A failure reports where the container was left. After the
 * request's deadline neither the stop nor the restore is begun (a restore task already started is
 * still polled).
 */
import { findContainerAt } from "../../db/container.repository.js";
import { findStep } from "../../db/operation-step.repository.js";
import { ownedVmid } from "../operations/action-request.js";
import { findArchive, withArchiveFailures } from "../operations/archives.js";
import { readContainerState } from "../operations/container-state.js";
import type { HostConnection } from "../operations/context.js";
import { DeadlinePassedError, isLate, stepStarted, TooLate } from "../operations/deadline.js";
import { ArchiveOperationError, ContainerMissingError, OperationRefusedError } from "../operations/errors.js";
import { runStep } from "../operations/journal-step.js";
import { completeOperation } from "../operations/run-operation.js";
import { Step } from "../operations/step-names.js";
import { connect } from "../operations/steps/connect.js";
import { startContainer } from "../operations/steps/start-container.js";
import { taskStep } from "../operations/steps/task-step.js";
import { verifyContainer } from "../operations/steps/verify-container.js";
import { bringUpApp } from "../start/run-start.js";
import type { RestoreAttempt } from "./run-restore.js";

export async function restoreOntoApp(a: RestoreAttempt): Promise<void> {
  const { node, vmid, volid, storage, backupId, startAfter } = a.request;
  await refuseLateRestore(a);
  const connection = await connect(a);
  // Only before the restore began: while Proxmox restores, the container's config holds its lock only.
  if (!(await findStep(a.deps.db, a.request.operationId, Step.restoreContainer))) {
    await assertOwnTarget(a, connection);
    await runStep(Step.checkArchive, async () => {
      if (!(await findArchive(connection, node, storage, volid)))
        throw new ArchiveOperationError("The archive is no longer on its storage");
    });
  }
  await taskStep(a, connection, Step.stopContainer, `Stopping container ${vmid} for the restore`, async () =>
    (await stateUnlessGone(connection, node, vmid)) === "running"
      ? connection.pve.stopContainer(node, vmid)
      : null,
  );
  await withArchiveFailures(storage, "restore", () =>
    taskStep(
      a,
      connection,
      Step.restoreContainer,
      `Restoring ${volid} onto container ${vmid}`,
      async () =>
        connection.pve.restoreContainer(node, {
          vmid,
          archive: volid,
          force: true,
          // Its root disk stays where it was (Proxmox would otherwise default to `local`).
          storage: (await rootStorageOf(connection, node, vmid)) ?? a.deps.settings.lxcStorage,
        }),
      a.deps.settings.backupTaskTimeoutMs,
    ),
  );
  let ipAddress = "";
  if (startAfter) {
    await startContainer(a, connection, vmid);
    ipAddress = await bringUpApp(a, connection, vmid);
  } else {
    await verifyContainer(a, connection, vmid, "stopped");
  }
  await completeOperation(a, {
    vmid,
    ipAddress,
    containerStatus: startAfter ? "running" : "stopped",
    message: "Restored from the backup",
    backupId,
  });
}

/**
 * Past the deadline the container is not touched any more, unless the restore task itself was
 * started by an earlier attempt (then it is polled to its end). "Nothing was changed" only when no
 * earlier attempt stopped the container or tried the restore.
 */
async function refuseLateRestore(a: RestoreAttempt): Promise<void> {
  if (!isLate(a.request.notAfter) || (await stepStarted(a, Step.restoreContainer))) return;
  const { db } = a.deps;
  const { operationId } = a.request;
  const stopped = (await findStep(db, operationId, Step.stopContainer))?.upid;
  const restoreTried = await findStep(db, operationId, Step.restoreContainer);
  throw new DeadlinePassedError(stopped || restoreTried ? TooLate.restoreResumed : TooLate.restore);
}

/**
 * The VMID is the app's: the container there carries its mark or was adopted by it; when there is
 * none, no other app's record holds the VMID (the restore would create the container there).
 */
async function assertOwnTarget(a: RestoreAttempt, connection: HostConnection): Promise<void> {
  const { hostId, appId, vmid } = a.request;
  await ownedVmid(a, connection);
  const holder = await findContainerAt(a.deps.db, hostId, vmid);
  if (holder && holder.app_id !== appId)
    throw new OperationRefusedError(`Container ${vmid} is another app's; nothing was restored`);
}

async function stateUnlessGone(connection: HostConnection, node: string, vmid: number) {
  return readContainerState(connection, node, vmid).catch((err: unknown) => {
    if (err instanceof ContainerMissingError) return "missing" as const;
    throw err;
  });
}

/** The storage of the container's root disk (`local-lvm:vm-101-disk-0,size=8G`), if it exists. */
async function rootStorageOf(
  connection: HostConnection,
  node: string,
  vmid: number,
): Promise<string | undefined> {
  const config = await connection.pve.containerConfig(node, vmid).catch(() => undefined);
  const rootfs = typeof config?.rootfs === "string" ? config.rootfs : "";
  return /^([a-z][a-z0-9\-_.]*):/.exec(rootfs)?.[1];
}
