/**
 * DELETE_BACKUP: remove an archive from its storage (`DELETE …/storage/{storage}/content/{volid}`,
 * task imgdel, journaled). An archive already gone is success; a protected one fails for good with
 * our own sentence; success only once the storage no longer lists it. No app is held (the app may
 * be deleted), so there is no container to report.
 */
import { InternalError, NotFoundError } from "@proximity/errors";
import type { backupsEventsV1 } from "@proximity/proto";
import { volidProblem } from "../../domain/backup-settings.js";
import { findArchive, withArchiveFailures } from "../operations/archives.js";
import type { Attempt } from "../operations/context.js";
import { ArchiveOperationError } from "../operations/errors.js";
import { runStep } from "../operations/journal-step.js";
import { completeOperation, type OperationSpec } from "../operations/run-operation.js";
import { Step } from "../operations/step-names.js";
import { connect } from "../operations/steps/connect.js";
import { taskStep } from "../operations/steps/task-step.js";

export type DeleteBackupRequest = backupsEventsV1.BackupDeleteRequested;
type DeleteBackupAttempt = Attempt<DeleteBackupRequest>;

export const deleteBackupSpec: OperationSpec<DeleteBackupRequest> = {
  kind: "delete-backup",
  backupIdOf: (r) => r.backupId,
  run: runDeleteBackup,
};

async function runDeleteBackup(a: DeleteBackupAttempt): Promise<void> {
  const { node, storage, volid, backupId } = a.request;
  const problem = volidProblem(volid, storage);
  if (problem) throw new ArchiveOperationError(`The delete request is invalid: ${problem}`);
  const connection = await connect(a);
  let wasThere = true;
  await withArchiveFailures(storage, "delete", () =>
    taskStep(a, connection, Step.deleteArchive, `Removing ${volid} from ${storage}`, async () => {
      const archive = await findArchive(connection, node, storage, volid);
      if (!archive) {
        wasThere = false;
        return null;
      }
      // Proxmox would refuse inside the task; saying so now spares the task and the retries.
      if (archive.protected) throw new ArchiveOperationError("The archive is protected on the storage");
      try {
        return await connection.pve.deleteStorageContent(node, storage, volid);
      } catch (err) {
        if (err instanceof NotFoundError) return null; // removed in between
        throw err;
      }
    }),
  );
  await runStep(Step.findArchive, async () => {
    if (await findArchive(connection, node, storage, volid))
      throw new InternalError("The archive is still listed after its removal");
  });
  await completeOperation(a, {
    vmid: 0,
    ipAddress: "",
    containerStatus: "",
    message: wasThere ? `archive ${volid} removed` : `archive ${volid} was already gone`,
    backupId,
  });
}
