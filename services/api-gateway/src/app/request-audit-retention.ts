import type { Logger } from "@proximity/logger";
import type { GatewayDb } from "../db/database.js";
import { pruneRequestAudit } from "../db/request-audit.repository.js";
import { createRetentionPruner, type RetentionPruner } from "./retention-pruner.js";

/** Keeps the request audit trail to its retention (REQUEST_AUDIT_RETENTION_DAYS). */
export function createRequestAuditPruner(options: {
  readonly db: GatewayDb;
  readonly retentionDays: number;
  readonly intervalMs: number;
  readonly logger: Logger;
}): RetentionPruner {
  return createRetentionPruner({
    what: "request audit rows",
    pruneBatch: (batch) => pruneRequestAudit(options.db, options.retentionDays, batch),
    intervalMs: options.intervalMs,
    logger: options.logger,
  });
}
