import type { AppOperationRow } from "../db/app-operations.table.js";
import type { AppRow } from "../db/apps.table.js";
import { type AppStatus, isAppStatus } from "../domain/app-status.js";
import type { SettlingOperation } from "../domain/operations.js";

/** What a backup or restore keeps on its operation row for its result (options column). */
export interface ArchiveOptions {
  /** The backups service's record the operation is about. */
  readonly backupId: string;
  /** The app's status when it was claimed; absent for a restore into a new app. */
  readonly statusBefore?: AppStatus;
  /** A restore into a new app (made by this operation). */
  readonly newApp?: boolean;
  /** A restore into a new app: the app the backup was taken of (it may be gone). */
  readonly sourceAppId?: string;
}

/** The backup, new-app flag and source an archive operation recorded ("" / false for other kinds). */
export function archiveOptionsOf(op: Pick<AppOperationRow, "options">): {
  readonly backupId: string;
  readonly newApp: boolean;
  readonly sourceAppId: string;
} {
  const { backupId, newApp, sourceAppId } = op.options;
  return {
    backupId: typeof backupId === "string" ? backupId : "",
    newApp: newApp === true,
    sourceAppId: typeof sourceAppId === "string" ? sourceAppId : "",
  };
}

/**
 * The operation as the settling rules see it. The status before is the one recorded at the claim,
 * else the app's (an operation that keeps the app's status, or one recorded before it was kept).
 */
export function settlingOf(
  op: Pick<AppOperationRow, "kind" | "options">,
  app: Pick<AppRow, "status">,
): SettlingOperation {
  const recorded = op.options.statusBefore;
  return {
    kind: op.kind,
    statusBefore: typeof recorded === "string" && isAppStatus(recorded) ? recorded : app.status,
    newApp: op.options.newApp === true,
  };
}
