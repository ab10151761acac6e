import type { Logger } from "@proximity/logger";
import { compactAppCounts } from "../db/app-counts.repository.js";
import type { ApplicationsDb } from "../db/database.js";

export interface AppCountsCompactor {
  start(): void;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

/** Owners folded per statement (a short statement), and statements per pass (writers never stop). */
const OWNERS_PER_STATEMENT = 500;
const STATEMENTS_PER_PASS = 20;

/**
 * Keeps the list's counters to a few rows per owner: the triggers append a row per change (no
 * lock, see migration 0005), and this folds them every `intervalMs` (one pass at a time, as many
 * statements as it takes; a failed pass is logged and retried next time). Every replica may run
 * it: folding is idempotent and safe beside writers.
 */
export function createAppCountsCompactor(options: {
  readonly db: ApplicationsDb;
  readonly intervalMs: number;
  readonly logger: Logger;
}): AppCountsCompactor {
  const log = options.logger.child({ component: "app-counts-compactor" });
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;
  const run = async () => {
    for (let i = 0; i < STATEMENTS_PER_PASS && timer; i++)
      if ((await compactAppCounts(options.db, OWNERS_PER_STATEMENT)) === 0) return;
  };
  const tick = () => {
    if (pass) return;
    pass = run()
      .catch((err: unknown) => log.error({ err }, "compacting app counts failed"))
      .finally(() => {
        pass = undefined;
      });
  };
  return {
    start() {
      timer = setInterval(tick, options.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await pass;
    },
  };
}
