import type { Logger } from "@proximity/logger";
import type { Kysely } from "kysely";
import { requestDueChecks } from "../app/request-due-checks.js";
import type { HostsDatabase } from "../db/database.js";

export interface PeriodicChecks {
  stop(): Promise<void>;
}

/**
 * Runs a check round every `intervalMs / 4` on this replica. Rounds run more often than the
 * interval so a host is requested close to when its check falls due; how often each host is
 * requested is decided by its `next_check_at`, not by this timer or the number of replicas.
 */
export function startPeriodicChecks(
  db: Kysely<HostsDatabase>,
  intervalMs: number,
  logger: Logger,
): PeriodicChecks {
  // At most one round in flight per replica: a slow round is skipped over, never queued up.
  let running: Promise<void> | undefined;
  const round = async () => {
    try {
      const hostIds = await requestDueChecks(db, intervalMs);
      if (hostIds.length > 0) logger.debug({ hosts: hostIds.length }, "periodic host checks requested");
    } catch (err) {
      // The next round retries; a database hiccup must not stop the schedule.
      logger.warn({ err }, "periodic host check round failed");
    }
  };
  const timer = setInterval(
    () => {
      running ??= round().finally(() => {
        running = undefined;
      });
    },
    Math.max(intervalMs / 4, 50),
  );
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
