import type { Logger } from "@proximity/logger";

/** Deletes up to `batchSize` rows past their retention; how many it deleted. */
export type PruneBatch = (batchSize: number) => Promise<number>;

const PRUNE_BATCH = 5_000;

/** Runs `pruneBatch` until a batch comes back short (a large backlog goes in short statements); the total. */
export async function pruneInBatches(pruneBatch: PruneBatch): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await pruneBatch(PRUNE_BATCH);
    total += deleted;
    if (deleted < PRUNE_BATCH) return total;
  }
}

export interface RetentionPruner {
  /** Prunes now, then every interval. */
  start(): void;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

/**
 * Keeps an audit trail to its retention: one pass at a time, a failed pass is logged and retried
 * next time. Every replica may prune; the deletes are idempotent.
 */
export function createRetentionPruner(options: {
  /** The trail, for the log ("authentication events"). */
  readonly what: string;
  readonly pruneBatch: PruneBatch;
  readonly intervalMs: number;
  readonly logger: Logger;
}): RetentionPruner {
  const log = options.logger.child({ component: "retention-pruner", trail: options.what });
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;
  const tick = () => {
    if (pass) return;
    pass = pruneInBatches(options.pruneBatch)
      .then(
        (n) => {
          if (n > 0) log.info({ deleted: n }, `${options.what} past retention deleted`);
        },
        (err: unknown) => log.error({ err }, `pruning ${options.what} failed`),
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
