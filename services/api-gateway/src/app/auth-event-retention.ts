import type { Logger } from "@proximity/logger";
import { pruneAuthEvents } from "../db/auth-event.repository.js";
import type { GatewayDb } from "../db/database.js";

const PRUNE_BATCH = 5_000;

/** Deletes authentication events older than `retentionDays`, batch by batch; how many. */
export async function pruneExpiredAuthEvents(db: GatewayDb, retentionDays: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await pruneAuthEvents(db, retentionDays, PRUNE_BATCH);
    total += deleted;
    if (deleted < PRUNE_BATCH) return total;
  }
}

export interface AuthEventPruner {
  /** Prunes now, then every interval. */
  start(): void;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

/**
 * Keeps the authentication event log to its retention (AUTH_EVENT_RETENTION_DAYS): one pass at
 * a time, a failed pass is logged and retried next time. Every replica may prune; the deletes
 * are idempotent.
 */
export function createAuthEventPruner(options: {
  readonly db: GatewayDb;
  readonly retentionDays: number;
  readonly intervalMs: number;
  readonly logger: Logger;
}): AuthEventPruner {
  const log = options.logger.child({ component: "auth-event-pruner" });
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;
  const tick = () => {
    if (pass) return;
    pass = pruneExpiredAuthEvents(options.db, options.retentionDays)
      .then(
        (n) => {
          if (n > 0) log.info({ deleted: n }, "authentication events past retention deleted");
        },
        (err: unknown) => log.error({ err }, "pruning authentication events failed"),
      )
      .finally(() => {
        pass = undefined;
      });
  };
  return {
    start() {
      tick();
      timer = setInterval(tick, options.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await pass;
    },
  };
}
