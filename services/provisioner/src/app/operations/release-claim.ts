/**
 * Ending a failed attempt must free the operation's claim even when the failure was the database
 * itself going away (a restart, a failover): a claim left behind blocks every redelivery of the
 * request for the claim's TTL, and a quick retry schedule then spends all its deliveries on "busy"
 * and the operation is never finished. So the release is retried while the database is
 * unavailable, until it answers or the claim has expired on its own anyway.
 */
import { isDatabaseUnavailable } from "@proximity/db";
import { UnavailableError } from "@proximity/errors";
import type { DbOrTrx } from "../../db/database.js";
import { releaseClaim } from "../../db/operation.repository.js";

export interface PatientReleaseOptions {
  /** Give up after this long (the claim's TTL: by then it has expired). */
  readonly withinMs: number;
  /** First pause between tries, doubled up to 2 s; default 100 ms. */
  readonly firstDelayMs?: number;
}

/** releaseClaim, retried while the database is unavailable; throws its last error after `withinMs`. */
export async function releaseClaimPatiently(
  db: DbOrTrx,
  id: string,
  worker: string,
  lastError: string,
  options: PatientReleaseOptions,
): Promise<void> {
  const end = Date.now() + options.withinMs;
  let delay = options.firstDelayMs ?? 100;
  for (;;) {
    try {
      return await releaseClaim(db, id, worker, lastError);
    } catch (err) {
      const unavailable = err instanceof UnavailableError || isDatabaseUnavailable(err);
      if (!unavailable || Date.now() + delay > end) throw err;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 2_000);
    }
  }
}
