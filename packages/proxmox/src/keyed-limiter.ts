/** Bounded concurrency per key: at most `max` tasks run per key, the rest wait in FIFO order. */

/** Runs tasks with a per-key concurrency bound. */
export interface KeyedLimiter {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/** Creates a limiter allowing `max` concurrent tasks per key. */
export function createKeyedLimiter(max: number): KeyedLimiter {
  const slots = new Map<string, { running: number; waiting: (() => void)[] }>();
  const release = (key: string) => {
    const s = slots.get(key)!;
    const next = s.waiting.shift();
    if (next) return next(); // hand the slot over directly: running stays the same
    s.running--;
    if (s.running === 0) slots.delete(key);
  };
  return {
    async run(key, task) {
      let s = slots.get(key);
      if (!s) {
        s = { running: 0, waiting: [] };
        slots.set(key, s);
      }
      if (s.running < max) s.running++;
      else await new Promise<void>((resolve) => s.waiting.push(resolve));
      try {
        return await task();
      } finally {
        release(key);
      }
    },
  };
}
