import type { ColumnType, Generated, Selectable } from "kysely";
import type { BackupMode, BackupStatus, BackupTrigger, Compression, DeleteReason } from "../domain/backup.js";

/** One backup record: one archive on one storage (or the attempt to make it). */
export interface BackupsTable {
  id: string;
  app_id: string;
  owner_id: string;
  host_id: string | null;
  node: string | null;
  vmid: number | null;
  storage: Generated<string>;
  volid: string | null;
  size_bytes: number | null;
  archive_created_at: Date | null;
  mode: BackupMode;
  compression: Compression;
  status: BackupStatus;
  trigger: BackupTrigger;
  scheduled_for: Date | null;
  operation_id: string;
  requested_by: string | null;
  error: Generated<string>;
  restore_operation_id: string | null;
  restore_claimed_at: Date | null;
  delete_operation_id: string | null;
  delete_reason: DeleteReason | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  started_at: Date | null;
  completed_at: Date | null;
}

export type BackupRow = Selectable<BackupsTable>;
