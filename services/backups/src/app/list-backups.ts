import { type FieldError, ValidationError } from "@proximity/errors";
import { type BackupView, listVisibleBackups } from "../db/backup.repository.js";
import type { BackupsDb } from "../db/database.js";
import { BACKUP_STATUSES, type BackupStatus, isBackupStatus } from "../domain/backup.js";
import type { Viewer } from "../domain/viewer.js";

export interface ListBackupsQuery {
  /** Undefined: every backup the viewer may reach. */
  readonly appId?: string;
  readonly status?: string;
  /** Undefined: either; true: only backups of deleted apps (admins'); false: only of live apps. */
  readonly appDeleted?: boolean;
  /** 1-based, default 1. */
  readonly page?: number;
  /** 1–100, default 20. */
  readonly perPage?: number;
}

export interface BackupPage {
  readonly items: BackupView[];
  readonly total: number;
  readonly page: number;
  readonly perPage: number;
}

const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;

/**
 * Backups newest first, one page at a time: a user's backups of their live apps; an admin's view
 * is every backup, also of deleted apps. Someone else's app simply lists nothing.
 */
export async function listBackups(
  db: BackupsDb,
  viewer: Viewer,
  query: ListBackupsQuery,
): Promise<BackupPage> {
  const page = query.page ?? 1;
  const perPage = query.perPage ?? DEFAULT_PER_PAGE;
  const problems: FieldError[] = [];
  if (!Number.isInteger(page) || page < 1) problems.push({ field: "page", message: "must be at least 1" });
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
    problems.push({ field: "per_page", message: `must be between 1 and ${MAX_PER_PAGE}` });
  }
  let status: BackupStatus | undefined;
  if (query.status !== undefined) {
    if (isBackupStatus(query.status)) status = query.status;
    else problems.push({ field: "status", message: `must be one of: ${BACKUP_STATUSES.join(", ")}` });
  }
  if (problems.length > 0) throw new ValidationError("Invalid list request", problems);
  const { rows, total } = await listVisibleBackups(db, viewer, {
    ...(query.appId !== undefined ? { appId: query.appId } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(query.appDeleted !== undefined ? { appDeleted: query.appDeleted } : {}),
    page,
    perPage,
  });
  return { items: rows, total, page, perPage };
}
