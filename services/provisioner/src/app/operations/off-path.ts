/**
 * Work an attempt starts off its operation's path (a VMID lease's release once the container
 * exists): the steps go on without waiting for it, and the attempt waits for all of it before it
 * ends, so none outlives the attempt (a shutdown drains the attempts, and with them this work).
 */
export interface OffPathWork {
  /** Tracks `work`, which handles its own failure (a rejection is dropped here, never thrown). */
  start(work: Promise<unknown>): void;
  /** Resolves once every work started so far has settled. */
  settled(): Promise<void>;
}

export function createOffPathWork(): OffPathWork {
  const pending = new Set<Promise<void>>();
  return {
    start(work) {
      const tracked = work.then(
        () => undefined,
        () => undefined,
      );
      pending.add(tracked);
      void tracked.then(() => pending.delete(tracked));
    },
    async settled() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}
