import { NotFoundError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import { findVisibleApp, findVisibleAppWithMetrics, type ListedApp } from "../db/app.repository.js";
import type { AppRow } from "../db/apps.table.js";
import type { ApplicationsDb } from "../db/database.js";
import { isUuid } from "../domain/uuid.js";

/**
 * The app `id` if `viewer` may see it. Another user's app, a gone app and a malformed id all get
 * the same NotFound, so the answer never reveals that someone else's app exists.
 */
export async function getApp(db: ApplicationsDb, id: string, viewer: EndUser): Promise<AppRow> {
  return found(isUuid(id) ? await findVisibleApp(db, id, viewer) : undefined);
}

/**
 * The app `id` if `viewer` may see it (as getApp), with its metrics when observed within
 * `metricsStaleAfterMs`, read in the same statement.
 */
export async function getAppWithMetrics(
  db: ApplicationsDb,
  id: string,
  viewer: EndUser,
  metricsStaleAfterMs: number,
): Promise<ListedApp> {
  return found(isUuid(id) ? await findVisibleAppWithMetrics(db, id, viewer, metricsStaleAfterMs) : undefined);
}

function found<T>(app: T | undefined): T {
  if (!app) throw new NotFoundError("App not found");
  return app;
}
