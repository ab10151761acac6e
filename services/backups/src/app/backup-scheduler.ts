import type { Logger } from "@proximity/logger";
import { releaseOrphanedRestoreClaims } from "../db/backup.repository.js";
import type { BackupsDeps } from "./deps.js";
import { dispatchPendingBackups } from "./dispatch-pending-backups.js";
import { scheduleDueBackups } from "./schedule-due-backups.js";

/** A restore claim this old without a running restore was left by a crash or a failed release. */
const ORPHANED_CLAIM_AFTER_MS = 10 * 60_000;

export interface BackupScheduler {
  start(): void;
  /** Stops the timer and waits for a pass in progress (its transactions finish or roll back). */
  stop(): Promise<void>;
  /** Runs one pass now (tests; the timer skips a tick while a pass runs). */
  runOnce(): Promise<void>;
}

/**
 * Every `intervalMs`, on every replica: due slots become pending backups, pending backups are
 * started, stale restore claims are given back. Safe to run on any number of replicas at once
 * (each step locks what it takes with SKIP LOCKED, and the unique slot decides). One pass at a
 * time per replica; a failed step is logged, the pass goes on, and the next tick tries again.
 */
export function createBackupScheduler(options: {
  readonly deps: BackupsDeps;
  readonly intervalMs: number;
  readonly logger: Logger;
}): BackupScheduler {
  const log = options.logger.child({ component: "backup-scheduler" });
  const { deps } = options;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;
  // Each step on its own: one that fails (a policy it cannot handle, a peer down) is logged and
  // never keeps the others from running.
  const step = async (name: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (err) {
      log.error({ err, step: name }, "backup scheduler step failed");
    }
  };
  const runPass = async () => {
    await step("schedule", () => scheduleDueBackups(deps.db, log));
    await step("dispatch", () => dispatchPendingBackups(deps, log));
    await step("release stale restore claims", async () => {
      const released = await releaseOrphanedRestoreClaims(
        deps.db,
        new Date(Date.now() - ORPHANED_CLAIM_AFTER_MS),
      );
      if (released.length > 0) log.warn({ backupIds: released }, "orphaned restore claims released");
    });
  };
  const runOnce = () => {
    pass ??= runPass().finally(() => {
      pass = undefined;
    });
    return pass;
  };
  return {
    start() {
      timer ??= setInterval(() => void runOnce(), options.intervalMs);
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await pass;
    },
    runOnce,
  };
}
