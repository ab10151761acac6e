/**
 * BACKUP: vzdump of the app's container to the request's storage (else the host's backup storage),
 * with the backup id in the archive's notes. A retry first looks for that archive (a vzdump that
 * ended after the last attempt stopped watching) and polls a journaled task instead of starting one.
 * Completed only when the task ended OK and the storage lists the archive with a size; a storage
 * that is full or cannot hold backups fails at once with our own sentence. Older archives are never
 * pruned here (`remove=0`): retention is the backups service's. After the request's deadline no
 * vzdump is started any more (operations/deadline.ts).
 */
import type { backupsEventsV1, provisionerEventsV1 } from "@proximity/proto";
import type { StorageContentItem } from "@proximity/proxmox";
import { archiveOfBackup, backupNotes } from "../../domain/archive-notes.js";
import { type BackupSettings, backupSettings } from "../../domain/backup-settings.js";
import { ownedVmid } from "../operations/action-request.js";
import { listArchives, withArchiveFailures } from "../operations/archives.js";
import { containerAddress, probeContainerState, readContainerState } from "../operations/container-state.js";
import type { Attempt, HostConnection } from "../operations/context.js";
import { DeadlinePassedError, isLate, stepStarted, TooLate } from "../operations/deadline.js";
import { ArchiveOperationError } from "../operations/errors.js";
import { runJournaledStep, runStep } from "../operations/journal-step.js";
import { runProxmoxTask } from "../operations/proxmox-task.js";
import { reportContainerState } from "../operations/report-state.js";
import { completeOperation, type OperationSpec } from "../operations/run-operation.js";
import { Step } from "../operations/step-names.js";
import { connect } from "../operations/steps/connect.js";

export type BackupRequest = backupsEventsV1.BackupRequested;
type BackupAttempt = Attempt<BackupRequest>;

export const backupSpec: OperationSpec<BackupRequest> = {
  kind: "backup",
  vmidOf: (r) => r.vmid || null,
  backupIdOf: (r) => r.backupId,
  run: runBackup,
  // Nothing to undo (a failed vzdump leaves no archive); say where the container was left.
  cleanup: reportContainerState,
};

async function runBackup(a: BackupAttempt): Promise<void> {
  const { node, backupId } = a.request;
  // Checked before any effect: bad settings fail for good at once.
  const settings = backupSettings(a.request);
  if (typeof settings === "string")
    throw new ArchiveOperationError(`The backup request is invalid: ${settings}`);
  if (!backupId) throw new ArchiveOperationError("The backup request is invalid: it names no backup");
  const connection = await connect(a);
  const vmid = await ownedVmid(a, connection);
  const storage = settings.storage || connection.backupStorage;
  await dump(a, connection, vmid, { ...settings, storage });
  const archive = await runStep(Step.findArchive, () => archiveWritten(a, connection, storage, vmid));
  // Where vzdump left it (a stop-mode backup starts it again); "" when it cannot be read now.
  const containerStatus = await probeContainerState(connection, node, vmid);
  await completeOperation(a, {
    vmid,
    ipAddress: containerStatus === "running" ? await containerAddress(connection, node, vmid) : "",
    containerStatus,
    message: `backed up to ${archive.volid}`,
    archive: toBackupArchive(storage, archive),
    backupId,
  });
}

/** The vzdump task (journaled), unless the archive of this backup is already on the storage. */
async function dump(
  a: BackupAttempt,
  connection: HostConnection,
  vmid: number,
  settings: BackupSettings,
): Promise<void> {
  const { node, backupId } = a.request;
  const { storage, mode, compression } = settings;
  const message = `Backing up container ${vmid} to ${storage}`;
  await withArchiveFailures(storage, "backup", async () => {
    await refuseLateDump(a, connection, storage, vmid);
    await runJournaledStep(a, Step.backupContainer, message, async (previous) => {
      await runProxmoxTask(
        a,
        connection,
        Step.backupContainer,
        previous,
        async () => {
          if (archiveOfBackup(await listArchives(connection, node, storage, vmid), backupId)) return null;
          await readContainerState(connection, node, vmid); // a missing container fails for good
          return connection.pve.vzdump(node, {
            vmid,
            storage,
            mode,
            compress: compression,
            notesTemplate: backupNotes(backupId),
            remove: false,
          });
        },
        a.deps.settings.backupTaskTimeoutMs,
      );
      return undefined;
    });
  });
}

/**
 * Past the deadline, no vzdump is started: a task an earlier attempt started is still polled, and
 * an archive its vzdump already wrote is still reported (using it changes nothing); else refused.
 */
async function refuseLateDump(
  a: BackupAttempt,
  connection: HostConnection,
  storage: string,
  vmid: number,
): Promise<void> {
  if (!isLate(a.request.notAfter) || (await stepStarted(a, Step.backupContainer))) return;
  const made = archiveOfBackup(
    await listArchives(connection, a.request.node, storage, vmid),
    a.request.backupId,
  );
  if (!made) throw new DeadlinePassedError(TooLate.backup);
}

/** The archive this backup wrote, as the storage lists it: present and not empty, or a failure. */
async function archiveWritten(
  a: BackupAttempt,
  connection: HostConnection,
  storage: string,
  vmid: number,
): Promise<StorageContentItem> {
  const archive = archiveOfBackup(
    await listArchives(connection, a.request.node, storage, vmid),
    a.request.backupId,
  );
  if (!archive) throw new ArchiveOperationError("The backup task ended without an archive on the storage");
  if (!archive.size || archive.size <= 0)
    throw new ArchiveOperationError("The backup archive on the storage is empty");
  return archive;
}

function toBackupArchive(storage: string, item: StorageContentItem): provisionerEventsV1.BackupArchive {
  return {
    storage,
    volid: item.volid,
    sizeBytes: item.size ?? 0,
    createdAt: item.ctime ? new Date(item.ctime * 1000) : new Date(),
  };
}
