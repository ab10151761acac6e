import type { Logger } from "@proximity/logger";
import type { ApplicationsDb } from "../db/database.js";
import type { LifeCycleSettings } from "./life-cycle-settings.js";
import { reapExpiredOperations } from "./reap-expired-operations.js";

export interface OperationReaper {
  start(): void;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

/** Runs reapExpiredOperations every `intervalMs` (one pass at a time; a failed pass is logged and retried next time). */
export function createOperationReaper(options: {
  readonly db: ApplicationsDb;
  readonly settings: LifeCycleSettings;
  readonly intervalMs: number;
  readonly logger: Logger;
}): OperationReaper {
  const log = options.logger.child({ component: "operation-reaper" });
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;
  const tick = () => {
    if (pass) return; // the previous pass is still running
    pass = reapExpiredOperations(options.db, options.settings, log, options.intervalMs)
      .then(
        (n) => {
          if (n > 0) log.info({ failed: n }, "expired operations failed");
        },
        (err: unknown) => log.error({ err }, "reaping expired operations failed"),
      )
      .finally(() => {
        pass = undefined;
      });
  };
  return {
    start() {
      timer = setInterval(tick, options.intervalMs);
    },
    async stop() {
      clearInterval(timer);
      await pass;
    },
  };
}
