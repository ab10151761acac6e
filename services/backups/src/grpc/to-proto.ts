import type { backupsV1 } from "@proximity/proto";
import type { BackupView } from "../db/backup.repository.js";
import type { BackupPolicy } from "../domain/backup-policy.js";

/** A backup record as the contract shows it; `status` "deleted" only for a record just removed. */
export function backupToProto(view: BackupView, status: string = view.status): backupsV1.Backup {
  const restoring = view.restore_operation_id !== null;
  return {
    id: view.id,
    appId: view.app_id,
    ownerId: view.owner_id,
    hostId: view.host_id ?? "",
    node: view.node ?? "",
    vmid: view.vmid ?? 0,
    storage: view.storage,
    volid: view.volid ?? "",
    sizeBytes: view.size_bytes ?? 0,
    mode: view.mode,
    compression: view.compression,
    status,
    trigger: view.trigger,
    error: view.error,
    createdAt: view.created_at,
    completedAt: view.completed_at ?? undefined,
    restoring,
    appDeleted: view.app_deleted,
    appHostname: view.app_hostname ?? "",
    appCatalogId: view.app_catalog_id ?? "",
    restorable: status === "completed" && !restoring,
  };
}

export function policyToProto(policy: BackupPolicy): backupsV1.BackupPolicy {
  return {
    appId: policy.appId,
    enabled: policy.enabled,
    schedule: policy.schedule,
    timeZone: policy.timeZone,
    mode: policy.mode,
    compression: policy.compression,
    keepLast: policy.keepLast,
    keepHourly: policy.keepHourly,
    keepDaily: policy.keepDaily,
    keepWeekly: policy.keepWeekly,
    keepMonthly: policy.keepMonthly,
    keepYearly: policy.keepYearly,
    updatedAt: policy.updatedAt,
    nextRunAt: policy.nextRunAt ?? undefined,
    lastRunAt: policy.lastRunAt ?? undefined,
  };
}
