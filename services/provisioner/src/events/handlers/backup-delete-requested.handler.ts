/** BackupDeleteRequested → remove the archive from its storage (already gone counts as removed). */
import { Events, type Subscription } from "@proximity/bus";
import { type DeleteBackupRequest, deleteBackupSpec } from "../../app/delete-backup/run-delete-backup.js";
import type { OperationDeps } from "../../app/operations/context.js";
import { operationSubscription } from "../../app/operations/subscribe-operation.js";

export function backupDeleteRequestedSubscription(deps: OperationDeps): Subscription<DeleteBackupRequest> {
  return operationSubscription(deps, Events.BackupDeleteRequested, () => deleteBackupSpec);
}
