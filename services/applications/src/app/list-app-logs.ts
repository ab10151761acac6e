import { ValidationError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import type { ApplicationsDb } from "../db/database.js";
import { listRecentLogs } from "../db/deployment-log.repository.js";
import type { DeploymentLogRow } from "../db/deployment-logs.table.js";
import { getApp } from "./get-app.js";

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** The latest deployment log lines of an app the viewer may see, oldest first. */
export async function listAppLogs(
  db: ApplicationsDb,
  appId: string,
  viewer: EndUser,
  limit: number = DEFAULT_LIMIT,
): Promise<DeploymentLogRow[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new ValidationError("Invalid log request", [
      { field: "limit", message: `must be between 1 and ${MAX_LIMIT}` },
    ]);
  }
  const app = await getApp(db, appId, viewer);
  return listRecentLogs(db, app.id, limit);
}
