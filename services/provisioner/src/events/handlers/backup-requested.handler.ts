/** BackupRequested → vzdump of the app's container; the archive is reported with the result. */
import { Events, type Subscription } from "@proximity/bus";
import { type BackupRequest, backupSpec } from "../../app/backup/run-backup.js";
import type { OperationDeps } from "../../app/operations/context.js";
import { operationSubscription } from "../../app/operations/subscribe-operation.js";

export function backupRequestedSubscription(deps: OperationDeps): Subscription<BackupRequest> {
  return operationSubscription(deps, Events.BackupRequested, () => backupSpec);
}
