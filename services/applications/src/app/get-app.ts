import { NotFoundError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import { findVisibleApp } from "../db/app.repository.js";
import type { AppRow } from "../db/apps.table.js";
import type { ApplicationsDb } from "../db/database.js";
import { isUuid } from "../domain/uuid.js";

/**
 * The app `id` if `viewer` may see it. Another user's app, a gone app and a malformed id all get
 * the same NotFound, so the answer never reveals that someone else's app exists.
 */
export async function getApp(db: ApplicationsDb, id: string, viewer: EndUser): Promise<AppRow> {
  const app = isUuid(id) ? await findVisibleApp(db, id, viewer) : undefined;
  if (!app) throw new NotFoundError("App not found");
  return app;
}
