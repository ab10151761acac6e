import { type FieldError, ValidationError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import type { AppRow } from "../db/apps.table.js";
import type { ApplicationsDb } from "../db/database.js";
import { listLogs } from "../db/deployment-log.repository.js";
import type { DeploymentLogRow } from "../db/deployment-logs.table.js";
import { getApp } from "./get-app.js";

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

export interface LogPage {
  /** 1–1000, default 100. */
  readonly limit?: number;
  /** Only lines after this id (oldest first from there): paging forward, live streams resuming. */
  readonly afterId?: number;
  /** Only lines before this id (the newest of them): paging back. */
  readonly beforeId?: number;
}

/**
 * Log lines of an app the viewer may see, oldest first: the first `limit` lines after `afterId`
 * when it is given, else the latest `limit` lines (before `beforeId` when given). The app is
 * returned too, so callers report its status with the lines.
 */
export async function listAppLogs(
  db: ApplicationsDb,
  appId: string,
  viewer: EndUser,
  page: LogPage = {},
): Promise<{ app: AppRow; lines: DeploymentLogRow[] }> {
  const limit = page.limit ?? DEFAULT_LIMIT;
  const problems: FieldError[] = [];
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    problems.push({ field: "limit", message: `must be between 1 and ${MAX_LIMIT}` });
  }
  for (const [field, value] of [
    ["after_id", page.afterId],
    ["before_id", page.beforeId],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
      problems.push({ field, message: "must be a positive line id" });
    }
  }
  if (problems.length > 0) throw new ValidationError("Invalid log request", problems);
  const app = await getApp(db, appId, viewer);
  const lines = await listLogs(db, app.id, { limit, afterId: page.afterId, beforeId: page.beforeId });
  return { app, lines };
}
