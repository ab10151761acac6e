import { type FieldError, ValidationError } from "@proximity/errors";
import {
  HOSTNAME_FIELD_MESSAGES,
  hostnameIssue,
  isStorageId,
  STORAGE_ID_FIELD_MESSAGE,
} from "@proximity/rules";

/** vzdump modes: a live snapshot, a suspended container, or a stopped one (restarted after). */
export const BACKUP_MODES = ["snapshot", "suspend", "stop"] as const;
export type BackupMode = (typeof BACKUP_MODES)[number];

export const COMPRESSIONS = ["zstd", "gzip", "lzo"] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/**
 * pending: a scheduled slot waiting for the dispatcher; running: the provisioner was asked;
 * completed: the archive is on its storage; failed: no archive; missing: the archive vanished
 * from its storage; deleting: its removal was asked.
 */
export const BACKUP_STATUSES = ["pending", "running", "completed", "failed", "missing", "deleting"] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

export type BackupTrigger = "manual" | "scheduled";

/** Why an archive is being removed: a user, the app's deletion, or retention. */
export type DeleteReason = "user" | "app_deleted" | "retention";

export interface BackupOptions {
  readonly mode: BackupMode;
  readonly compression: Compression;
  /** "" = the host's configured backup storage. */
  readonly storage: string;
}

export const DEFAULT_MODE: BackupMode = "snapshot";
export const DEFAULT_COMPRESSION: Compression = "zstd";

export function isBackupMode(value: string): value is BackupMode {
  return (BACKUP_MODES as readonly string[]).includes(value);
}

export function isCompression(value: string): value is Compression {
  return (COMPRESSIONS as readonly string[]).includes(value);
}

export function isBackupStatus(value: string): value is BackupStatus {
  return (BACKUP_STATUSES as readonly string[]).includes(value);
}

/** Field problems of a mode ("" = default) and a compression ("" = default). */
export function modeAndCompressionProblems(mode: string, compression: string): FieldError[] {
  const problems: FieldError[] = [];
  if (mode && !isBackupMode(mode))
    problems.push({ field: "mode", message: `must be one of: ${BACKUP_MODES.join(", ")}` });
  if (compression && !isCompression(compression)) {
    problems.push({ field: "compression", message: `must be one of: ${COMPRESSIONS.join(", ")}` });
  }
  return problems;
}

/** Validates a backup request's options (empty = default); a ValidationError names every bad field. */
export function parseBackupOptions(input: {
  mode: string;
  compression: string;
  storage: string;
}): BackupOptions {
  const problems = modeAndCompressionProblems(input.mode, input.compression);
  // PVE's `pve-storage-id` format (@proximity/rules, the gateway's rule and words too).
  if (input.storage && !isStorageId(input.storage)) {
    problems.push({ field: "storage", message: STORAGE_ID_FIELD_MESSAGE });
  }
  if (problems.length > 0) throw new ValidationError("Invalid backup request", problems);
  return {
    mode: (input.mode || DEFAULT_MODE) as BackupMode,
    compression: (input.compression || DEFAULT_COMPRESSION) as Compression,
    storage: input.storage,
  };
}

/**
 * A new app's hostname, checked with the platform's hostname rule (the applications service also
 * checks uniqueness): "" means "restore onto the backup's own app".
 */
export function checkNewHostname(hostname: string): string {
  if (hostname === "") return hostname;
  const issue = hostnameIssue(hostname);
  if (issue !== undefined) {
    throw new ValidationError("Invalid restore request", [
      { field: "new_hostname", message: HOSTNAME_FIELD_MESSAGES[issue] },
    ]);
  }
  return hostname;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Backup ids are UUIDs; anything else names no backup. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** What users read about a backup's state (safe, stable wording). */
export const BackupMessages = {
  missing: "The archive is no longer on its storage",
  notCompleted: "Only a completed backup can be restored",
  restoring: "A restore from this backup is running",
  deleting: "The backup is being deleted",
  stillRunning: "The backup is still running",
  anotherBackup: "Another backup of this app is running",
  anotherRestore: "A restore of this app is running",
  noArchive: "vzdump ended without an archive",
  appDeletedRestore: "The app was deleted: restore its backup into a new app",
  noContainer: "The app has no container to back up",
  noContainerToRestore: "The app has no container to restore onto",
  otherHost: "The backup is on another host than the app",
} as const;

/** Why a backup in `status` cannot be restored now. */
export function whyNotRestorable(status: BackupStatus, restoring: boolean): string {
  if (status === "missing") return BackupMessages.missing;
  if (status === "deleting") return BackupMessages.deleting;
  if (restoring) return BackupMessages.restoring;
  return BackupMessages.notCompleted;
}

/** Why a backup cannot be deleted now: a restore runs from it, or it has not ended (pending, running). */
export function whyNotDeletable(restoring: boolean): string {
  return restoring ? BackupMessages.restoring : BackupMessages.stillRunning;
}
