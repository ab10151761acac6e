import { RateLimitedError } from "@proximity/errors";
import type { FastifyInstance } from "fastify";

/** Thrown past the per-address request budget; carries Retry-After for the error handler. */
export class RequestRateLimitedError extends RateLimitedError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super();
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

const WINDOW_MS = 60_000;

/**
 * A coarse per-client-address request budget per minute (fixed window, in memory). It bounds
 * abuse of one replica cheaply; login throttling, which must hold across replicas, lives in
 * PostgreSQL (app/login-throttle.ts).
 */
export function installRateLimit(app: FastifyInstance, perMinute: number): void {
  let windowStart = Date.now();
  let counts = new Map<string, number>();
  app.addHook("onRequest", async (request) => {
    const now = Date.now();
    if (now - windowStart >= WINDOW_MS) {
      // Starting a fresh map also forgets idle addresses, so memory stays bounded by one window.
      windowStart = now;
      counts = new Map();
    }
    const count = (counts.get(request.ip) ?? 0) + 1;
    counts.set(request.ip, count);
    if (count > perMinute)
      throw new RequestRateLimitedError(Math.ceil((windowStart + WINDOW_MS - now) / 1000));
  });
}
