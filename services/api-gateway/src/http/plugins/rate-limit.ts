import rateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import { RateLimitedError, ValidationError } from "@proximity/errors";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { addressKey } from "../../domain/client-address.js";
import type { CounterStore } from "../../rate-limit/kv-counter-store.js";
import { principalOf } from "../request-helpers.js";

/** Thrown past a request budget; carries Retry-After for the error handler. */
export class RequestRateLimitedError extends RateLimitedError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super();
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Request budgets, each counted across every gateway replica (see rate-limit/kv-counter-store.ts). */
export interface RateLimitSettings {
  readonly perAddressPerMinute: number;
  readonly perUserPerMinute: number;
  readonly store: CounterStore;
}

export const RATE_LIMIT_WINDOW_MS = 60_000;

/** @fastify/rate-limit's store interface over our shared counters. */
function storeClassOver(counters: CounterStore): FastifyRateLimitStoreCtor {
  return class SharedCounterStore implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
      max: number,
    ): void {
      counters.hit(key, timeWindow, max).then(
        (state) => callback(null, state),
        (err: Error) => callback(err),
      );
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  };
}

/** Routes that opt out with `config: { rateLimit: false }` (health probes). */
const isExempt = (request: FastifyRequest) => request.routeOptions.config?.rateLimit === false;

type Limiter = ReturnType<FastifyInstance["createRateLimit"]>;

async function enforce(limiter: Limiter, request: FastifyRequest): Promise<void> {
  const result = await limiter(request);
  if (!result.isAllowed && result.isExceeded)
    throw new RequestRateLimitedError(Math.max(1, result.ttlInSeconds));
}

/**
 * The per-address budget, as an onRequest hook: install it before authentication so refused
 * requests cost no database lookup. Also refuses a request whose client address is not an IP
 * (a proxy hop that forwarded garbage in X-Forwarded-For) with 400. Returns the per-user hook's
 * installer, to call right after authentication. An unreachable store lets requests through
 * (`skipOnError`; the store logs it).
 */
export async function installRateLimits(
  app: FastifyInstance,
  settings: RateLimitSettings,
): Promise<{ installPerUser(): void }> {
  await app.register(rateLimit, {
    global: false,
    store: storeClassOver(settings.store),
    skipOnError: true,
    timeWindow: RATE_LIMIT_WINDOW_MS,
  });
  const byAddress = app.createRateLimit({
    max: settings.perAddressPerMinute,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    keyGenerator: (request) => `address:${addressKey(request.ip)}`,
  });
  const byUser = app.createRateLimit({
    max: settings.perUserPerMinute,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    keyGenerator: (request) => `user:${principalOf(request).user.id}`,
  });

  app.addHook("onRequest", async (request) => {
    if (addressKey(request.ip) === null) throw new ValidationError("Invalid client address");
    if (!isExempt(request)) await enforce(byAddress, request);
  });
  return {
    installPerUser: () => {
      app.addHook("onRequest", async (request) => {
        if (isExempt(request) || !request.principal) return;
        await enforce(byUser, request);
      });
    },
  };
}
