/**
 * Circuit breakers per Proxmox host (opossum). Only transient failures (unavailable, deadline) count:
 * a missing container or a rejected parameter says nothing about the host's health.
 */
import { EventEmitter } from "node:events";
import { isTransient, toProximityError, UnavailableError } from "@proximity/errors";
import CircuitBreaker from "opossum";
import { proxmoxCallSeconds } from "./metrics.js";

/** Breaker state as reported for observability. */
export type BreakerState = "closed" | "open" | "halfOpen";

/** Tuning shared by every breaker of a registry. */
export interface BreakerOptions {
  /** Failure percentage within the rolling window that opens the breaker, default 50. */
  readonly errorThresholdPercentage?: number;
  /** Time open before one trial call (half-open), default 30 000 ms. */
  readonly resetTimeout?: number;
  /** Calls needed in the window before the breaker may open, default 5. */
  readonly volumeThreshold?: number;
  /** Rolling window length, default 10 000 ms, split into `rollingCountBuckets` (default 10). */
  readonly rollingCountTimeout?: number;
  readonly rollingCountBuckets?: number;
}

/** Counters of one breaker, for metrics and health pages. */
export interface BreakerSnapshot {
  readonly state: BreakerState;
  readonly fires: number;
  readonly successes: number;
  readonly failures: number;
  readonly rejects: number;
}

/** A lazily filled set of breakers, one per key (usually the Proxmox host). */
export interface BreakerRegistry {
  /**
   * Runs `fn` through the breaker of `key`; rejects with UnavailableError at once while it is open.
   * Every call is timed by key and outcome (proximity_proxmox_call_seconds).
   */
  fire<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** State of the breaker of `key` ("closed" when none exists yet). */
  state(key: string): BreakerState;
  snapshot(): Record<string, BreakerSnapshot>;
  /**
   * Forgets the breaker of `key` (an operator's reset): the next call through `key` starts a
   * closed breaker with empty counters. Calls already running finish on the old one.
   * @returns the breaker's last snapshot, or undefined when `key` had none.
   */
  reset(key: string): BreakerSnapshot | undefined;
  /** Stops all breakers and the shared bucket timer. */
  shutdown(): void;
}

/**
 * Creates a registry. Share one per process so that every client of a host sees the same breaker.
 * @example
 * const breakers = createBreakerRegistry({ resetTimeout: 10_000 });
 * const pve = createProxmoxClient(opts, { logger, breakers });
 */
export function createBreakerRegistry(options: BreakerOptions = {}): BreakerRegistry {
  return new BreakerRegistryImpl(options);
}

type Thunk = () => Promise<unknown>;

class BreakerRegistryImpl implements BreakerRegistry {
  readonly #options: Required<BreakerOptions>;
  readonly #breakers = new Map<string, CircuitBreaker<[Thunk], unknown>>();
  /** One timer rotates the rolling-window buckets of all breakers instead of one timer each. */
  readonly #rotate = new EventEmitter();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: BreakerOptions) {
    this.#options = {
      errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
      resetTimeout: options.resetTimeout ?? 30_000,
      volumeThreshold: options.volumeThreshold ?? 5,
      rollingCountTimeout: options.rollingCountTimeout ?? 10_000,
      rollingCountBuckets: options.rollingCountBuckets ?? 10,
    };
    this.#rotate.setMaxListeners(0);
  }

  async fire<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const stop = proxmoxCallSeconds.startTimer({ host: key });
    try {
      const result = (await this.#breaker(key).fire(fn)) as T;
      stop({ outcome: "ok" });
      return result;
    } catch (err) {
      const thrown =
        err instanceof Error && CircuitBreaker.isOurError(err)
          ? new UnavailableError("The Proxmox host is temporarily unavailable", err)
          : err;
      stop({ outcome: toProximityError(thrown).code.toLowerCase() });
      throw thrown;
    }
  }

  state(key: string): BreakerState {
    const b = this.#breakers.get(key);
    if (!b) return "closed";
    return b.opened ? "open" : b.halfOpen ? "halfOpen" : "closed";
  }

  snapshot(): Record<string, BreakerSnapshot> {
    const out: Record<string, BreakerSnapshot> = {};
    for (const key of this.#breakers.keys()) out[key] = this.#snapshotOf(key);
    return out;
  }

  reset(key: string): BreakerSnapshot | undefined {
    const b = this.#breakers.get(key);
    if (!b) return undefined;
    const last = this.#snapshotOf(key);
    // Shutting it down also detaches it from the shared bucket timer.
    b.shutdown();
    this.#breakers.delete(key);
    return last;
  }

  #snapshotOf(key: string): BreakerSnapshot {
    const s = this.#breakers.get(key)?.stats;
    return {
      state: this.state(key),
      fires: s?.fires ?? 0,
      successes: s?.successes ?? 0,
      failures: s?.failures ?? 0,
      rejects: s?.rejects ?? 0,
    };
  }

  shutdown(): void {
    for (const b of this.#breakers.values()) b.shutdown();
    this.#breakers.clear();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #breaker(key: string): CircuitBreaker<[Thunk], unknown> {
    let b = this.#breakers.get(key);
    if (!b) {
      b = new CircuitBreaker((thunk: Thunk) => thunk(), {
        ...this.#options,
        name: key,
        timeout: false, // every request has its own deadline; opossum's would leave the call running
        enableSnapshots: false,
        rotateBucketController: this.#rotate,
        errorFilter: (err: unknown) => !isTransient(err),
      });
      this.#breakers.set(key, b);
      this.#startTimer();
    }
    return b;
  }

  #startTimer(): void {
    if (this.#timer) return;
    const every = Math.max(
      1,
      Math.floor(this.#options.rollingCountTimeout / this.#options.rollingCountBuckets),
    );
    this.#timer = setInterval(() => this.#rotate.emit("rotate"), every);
    this.#timer.unref();
  }
}
