import type { Logger } from "@proximity/logger";

/** Writes the last use of each id in one statement (ids and times aligned). */
export type WriteLastUses = (ids: readonly string[], usedAt: readonly Date[]) => Promise<void>;

/**
 * Remembers when credentials were used (API tokens, sessions) and writes those times in one
 * statement every interval, instead of one UPDATE per request: reading the API must not write.
 */
export interface LastUseRecorder {
  /** Notes a use now; never waits and never fails (the write comes later). */
  record(id: string): void;
  /** Writes what was recorded so far (the timer does it every interval). */
  flush(): Promise<void>;
  start(): void;
  /** Stops the timer and writes what is left (at shutdown, before the pool closes). */
  stop(): Promise<void>;
}

export interface LastUseRecorderOptions {
  /** What is recorded, for the log ("api token"). */
  readonly what: string;
  readonly write: WriteLastUses;
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Past this many ids the recorder writes at once (bounds memory under many distinct callers). */
  readonly maxPending?: number;
}

const DEFAULT_MAX_PENDING = 10_000;

/**
 * Uses are kept in memory, newest per id, and written every `intervalMs` (and at stop). A failed
 * write is logged and its uses kept for the next pass (newer uses win). A replica that dies loses
 * at most one interval of last-use times, which are informational: nothing is authorised by them.
 */
export function createLastUseRecorder(options: LastUseRecorderOptions): LastUseRecorder {
  const log = options.logger.child({ component: "last-use-recorder", what: options.what });
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  let pending = new Map<string, Date>();
  let timer: NodeJS.Timeout | undefined;
  // Writes run one after another (writeOnce never rejects).
  let chain: Promise<void> = Promise.resolve();

  const writeOnce = async () => {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    try {
      await options.write([...batch.keys()], [...batch.values()]);
    } catch (err) {
      log.warn({ err, ids: batch.size }, "writing last uses failed; retried on the next pass");
      for (const [id, at] of batch) if (!pending.has(id)) pending.set(id, at);
    }
  };
  const flush = (): Promise<void> => {
    chain = chain.then(writeOnce);
    return chain;
  };

  return {
    record(id) {
      pending.set(id, new Date());
      if (pending.size >= maxPending) void flush();
    },
    flush,
    start() {
      timer ??= setInterval(() => void flush(), options.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await flush();
    },
  };
}
