/**
 * Waiting out a JetStream leader election. While the stream behind a KV bucket (or any stream)
 * has no leader, requests to it fail at once with "503 no responders", or time out when they
 * reached a leader that then died. An election takes a few seconds; a caller that fails its whole
 * operation on the first such error spends an attempt of its bounded redelivery on a blip of the
 * bus. untilLeaderAnswers retries the request within a budget instead.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { retryDelayMs } from "./backoff.js";

/** Nothing listened on the subject: the request was never received, so retrying is always safe. */
export function isNoResponders(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "503";
}

/** No answer in time: the request may or may not have been applied. */
export function isRequestTimeout(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "TIMEOUT";
}

export interface LeaderWaitOptions {
  /** Give up (rethrowing the last error) once this much time has passed; default 15 s. */
  readonly budgetMs?: number;
  /**
   * Retry timeouts too: only for requests that are safe to apply twice (reads, or writes whose
   * caller recognises its own earlier write). Default false: only "no responders" is retried.
   */
  readonly retryTimeouts?: boolean;
  /**
   * Stop waiting once it aborts (e.g. an attempt that lost its operation): rejects with its reason
   * before the next try. A request already sent is not recalled.
   */
  readonly signal?: AbortSignal;
}

/** Runs `request`, retried with backoff while the stream it talks to has no leader. */
export async function untilLeaderAnswers<T>(
  request: () => Promise<T>,
  options: LeaderWaitOptions = {},
): Promise<T> {
  const end = Date.now() + (options.budgetMs ?? 15_000);
  const { signal } = options;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await request();
    } catch (err) {
      const transient = isNoResponders(err) || (options.retryTimeouts === true && isRequestTimeout(err));
      const delay = retryDelayMs(attempt, 100, 2_000);
      if (!transient || Date.now() + delay >= end) throw err;
      // An abort ends the pause early; the loop's check then rejects with its reason.
      await sleep(delay, undefined, signal ? { signal } : undefined).catch(() => undefined);
    }
  }
}
