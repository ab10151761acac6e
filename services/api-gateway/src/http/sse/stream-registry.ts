import { RateLimitedError } from "@proximity/errors";
import type { EventStream } from "./event-stream.js";

/** A reserved place for one stream of one user; release it exactly once when the stream is over. */
export interface StreamSlot {
  /** Hands the open stream to the registry: it is closed on shutdown and frees the slot when it ends. */
  attach(stream: EventStream): void;
  /** Frees the slot of a stream that never opened (e.g. the ownership check failed). */
  release(): void;
}

/** The open event streams of one gateway replica. */
export interface StreamRegistry {
  /** Reserves a place for a new stream of `userId`; RateLimitedError beyond the per-user bound. */
  reserve(userId: string): StreamSlot;
  /** Number of open (or reserved) streams, for tests and diagnostics. */
  size(): number;
  /** Ends every open stream (graceful shutdown: fastify's close waits for open connections). */
  closeAll(): void;
}

/**
 * Bounds the streams a user holds open on this replica. The bound is per replica and in memory,
 * like the request rate limit: a stream lives on one process, and a user behind a load balancer
 * can open at most `maxPerUser` on each replica.
 */
export function createStreamRegistry(maxPerUser: number): StreamRegistry {
  const perUser = new Map<string, number>();
  const open = new Set<EventStream>();

  const decrement = (userId: string) => {
    const left = (perUser.get(userId) ?? 1) - 1;
    if (left > 0) perUser.set(userId, left);
    else perUser.delete(userId);
  };

  return {
    reserve(userId) {
      const count = perUser.get(userId) ?? 0;
      if (count >= maxPerUser) {
        throw new RateLimitedError(
          `At most ${maxPerUser} event streams may be open at once; close one first`,
        );
      }
      // Reserved synchronously, before any await, so concurrent opens cannot overshoot the bound.
      perUser.set(userId, count + 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        decrement(userId);
      };
      return {
        attach(stream) {
          open.add(stream);
          stream.onClose(() => {
            open.delete(stream);
            release();
          });
        },
        release,
      };
    },
    size: () => [...perUser.values()].reduce((sum, n) => sum + n, 0),
    closeAll() {
      for (const stream of [...open]) stream.close();
    },
  };
}
