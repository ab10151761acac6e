/**
 * The kinds of operation the provisioner runs. The name is stored in operations.kind; the proto
 * value goes into every event about the operation.
 */
import { provisionerEventsV1 } from "@proximity/proto";

const K = provisionerEventsV1.OperationKind;

export const OPERATION_KINDS = {
  deploy: K.OPERATION_KIND_DEPLOY,
  start: K.OPERATION_KIND_START,
  stop: K.OPERATION_KIND_STOP,
  restart: K.OPERATION_KIND_RESTART,
  update: K.OPERATION_KIND_UPDATE,
  delete: K.OPERATION_KIND_DELETE,
  clone: K.OPERATION_KIND_CLONE,
  adopt: K.OPERATION_KIND_ADOPT,
  backup: K.OPERATION_KIND_BACKUP,
  restore: K.OPERATION_KIND_RESTORE,
  "delete-backup": K.OPERATION_KIND_DELETE_BACKUP,
  /** A request naming an action this provisioner does not know (refused). */
  unknown: K.OPERATION_KIND_UNSPECIFIED,
} as const;

export type OperationKindName = keyof typeof OPERATION_KINDS;

export function protoKind(kind: OperationKindName): provisionerEventsV1.OperationKind {
  return OPERATION_KINDS[kind];
}
