import type { Logger } from "@proximity/logger";
import type { Kysely } from "kysely";
import { requestDueChecks } from "../app/request-due-checks.js";
import type { HostsDatabase } from "../db/database.js";

/** Longest pause between two rounds (the lag between a host falling due and its request). */
const MAX_ROUND_MS = 1_000;

export interface PeriodicChecks {
  stop(): Promise<void>;
}

/**
 * Runs a check round every second (every `intervalMs / 4` for intervals under 4 s) on this
 * replica. Rounds run far more often than the interval so a host is requested close to when its
 * check falls due, and each round requests only its share of the due hosts (claimDueChecks): a
 * thousand hosts registered together become a trickle of checks, not a burst every interval. How
 * often each host is requested is decided by its `next_check_at`, not by this timer or the number
 * of replicas. A round is one update over the hosts table, cheap at thousands of rows.
 */
export function startPeriodicChecks(
  db: Kysely<HostsDatabase>,
  intervalMs: number,
  logger: Logger,
): PeriodicChecks {
  const roundMs = Math.max(Math.min(intervalMs / 4, MAX_ROUND_MS), 50);
  // At most one round in flight per replica: a slow round is skipped over, never queued up.
  let running: Promise<void> | undefined;
  const round = async () => {
    try {
      const hostIds = await requestDueChecks(db, intervalMs, roundMs);
      if (hostIds.length > 0) logger.debug({ hosts: hostIds.length }, "periodic host checks requested");
    } catch (err) {
      // The next round retries; a database hiccup must not stop the schedule.
      logger.warn({ err }, "periodic host check round failed");
    }
  };
  const timer = setInterval(() => {
    running ??= round().finally(() => {
      running = undefined;
    });
  }, roundMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
