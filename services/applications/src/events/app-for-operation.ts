import type { Logger } from "@proximity/logger";
import { findAppById } from "../db/app.repository.js";
import type { AppRow } from "../db/apps.table.js";
import type { ApplicationsDb } from "../db/database.js";
import { isUuid } from "../domain/uuid.js";

/** The fields every provisioner operation event carries. */
export interface OperationRef {
  readonly operationId: string;
  readonly appId: string;
}

/**
 * The app an operation event is about, if the event still applies to it: the app exists and the
 * event's operation is the app's current one. Otherwise the event is skipped (and acked): a late
 * result of an older operation must never overwrite what a newer operation decided, and no retry
 * could make an unknown app appear.
 */
export async function appForOperation(
  db: ApplicationsDb,
  ref: OperationRef,
  log: Logger,
): Promise<AppRow | undefined> {
  const app = isUuid(ref.appId) ? await findAppById(db, ref.appId) : undefined;
  if (!app) {
    log.warn(
      { appId: ref.appId, operationId: ref.operationId },
      "operation event for an unknown app; skipped",
    );
    return undefined;
  }
  if (app.current_operation_id !== ref.operationId) {
    log.debug(
      { appId: app.id, operationId: ref.operationId, currentOperationId: app.current_operation_id },
      "stale operation event (not the app's current operation); skipped",
    );
    return undefined;
  }
  return app;
}
