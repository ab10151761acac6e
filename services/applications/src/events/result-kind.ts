import type { Logger } from "@proximity/logger";
import { provisionerEventsV1 } from "@proximity/proto";
import type { AppOperationRow } from "../db/app-operations.table.js";
import type { OperationKind } from "../domain/operations.js";

const K = provisionerEventsV1.OperationKind;

/** The app operation each provisioner kind reports on (DELETE_BACKUP holds no app: absent). */
const APP_KIND: ReadonlyMap<provisionerEventsV1.OperationKind, OperationKind> = new Map([
  [K.OPERATION_KIND_DEPLOY, "deploy"],
  [K.OPERATION_KIND_START, "start"],
  [K.OPERATION_KIND_STOP, "stop"],
  [K.OPERATION_KIND_RESTART, "restart"],
  [K.OPERATION_KIND_UPDATE, "update"],
  [K.OPERATION_KIND_DELETE, "delete"],
  [K.OPERATION_KIND_CLONE, "clone"],
  [K.OPERATION_KIND_ADOPT, "adopt"],
  [K.OPERATION_KIND_BACKUP, "backup"],
  [K.OPERATION_KIND_RESTORE, "restore"],
]);

/**
 * True for results about no app operation: the deletion of a backup archive is the backups
 * service's business alone, so its progress and results are skipped without a trace.
 */
export function concernsNoApp(kind: provisionerEventsV1.OperationKind): boolean {
  return kind === K.OPERATION_KIND_DELETE_BACKUP;
}

/**
 * False when the result names a kind other than its operation's (a provisioner bug): it is logged
 * and not applied, so that it cannot settle an operation it is not about. A result of unspecified
 * kind (a request the provisioner could not read) applies to its operation.
 */
export function kindMatches(
  kind: provisionerEventsV1.OperationKind,
  op: Pick<AppOperationRow, "id" | "app_id" | "kind">,
  log: Logger,
): boolean {
  const named = APP_KIND.get(kind);
  if (named === undefined || named === op.kind) return true;
  log.warn(
    { operationId: op.id, appId: op.app_id, kind: op.kind, resultKind: named },
    "result names another kind than its operation; ignored",
  );
  return false;
}
