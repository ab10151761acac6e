import type { Logger } from "@proximity/logger";
import { pruneAuthEvents } from "../db/auth-event.repository.js";
import type { GatewayDb } from "../db/database.js";
import { createRetentionPruner, pruneInBatches, type RetentionPruner } from "./retention-pruner.js";

/** Deletes authentication events older than `retentionDays`, batch by batch; how many. */
export function pruneExpiredAuthEvents(db: GatewayDb, retentionDays: number): Promise<number> {
  return pruneInBatches((batch) => pruneAuthEvents(db, retentionDays, batch));
}

/** Keeps the authentication event log to its retention (AUTH_EVENT_RETENTION_DAYS). */
export function createAuthEventPruner(options: {
  readonly db: GatewayDb;
  readonly retentionDays: number;
  readonly intervalMs: number;
  readonly logger: Logger;
}): RetentionPruner {
  return createRetentionPruner({
    what: "authentication events",
    pruneBatch: (batch) => pruneAuthEvents(options.db, options.retentionDays, batch),
    intervalMs: options.intervalMs,
    logger: options.logger,
  });
}
