import type { Logger } from "@proximity/logger";
import type { GatewayDb } from "../db/database.js";
import { deleteDeadSessions } from "../db/session.repository.js";
import { createRetentionPruner, type RetentionPruner } from "./retention-pruner.js";

/**
 * Deletes sessions past their lifetime or idle timeout every `intervalMs` (no lookup finds them
 * meanwhile). Not at each login, as before: each deletion notifies every replica to empty its
 * verified credentials (migration 0008), so clearing them at every login emptied the caches at
 * every login.
 */
export function createDeadSessionPruner(options: {
  readonly db: GatewayDb;
  readonly idleMs: number;
  readonly intervalMs: number;
  readonly logger: Logger;
}): RetentionPruner {
  return createRetentionPruner({
    what: "dead sessions",
    pruneBatch: (batch) => deleteDeadSessions(options.db, new Date(Date.now() - options.idleMs), batch),
    intervalMs: options.intervalMs,
    logger: options.logger,
  });
}
