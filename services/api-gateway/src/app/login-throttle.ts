import { RateLimitedError } from "@proximity/errors";
import type { GatewayDb } from "../db/database.js";
import {
  clearThrottleKey,
  isKnownSource,
  pruneLoginThrottle,
  refundThrottleSlot,
  rememberKnownSource,
  reserveThrottleSlot,
  throttleNextAllowedAt,
} from "../db/login-throttle.repository.js";
import { addressKey } from "../domain/client-address.js";
import {
  accountKeyOf,
  knownSourceHash,
  LOGIN_THROTTLE,
  type LoginSourceKeys,
  retryAfterSeconds,
  type ThrottleKey,
  throttleKeys,
} from "../domain/login-throttle-policy.js";

/** Too many recent attempts; the edge answers 429 with Retry-After. */
export class LoginThrottledError extends RateLimitedError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super("Too many failed login attempts, try again later");
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Who is trying to log in: the account name as typed and the client address (request.ip). */
export interface LoginSource {
  readonly username: string;
  readonly clientAddress: string;
}

/** A slot taken before the password is checked; settle it with noteLoginSuccess on success. */
export interface LoginReservation {
  readonly source: LoginSourceKeys;
  readonly keys: readonly ThrottleKey[];
}

function sourceKeys(source: LoginSource): LoginSourceKeys {
  // The HTTP layer refuses requests without a valid address; "unknown" is one shared bucket.
  return { account: accountKeyOf(source.username), address: addressKey(source.clientAddress) ?? "unknown" };
}

/**
 * Reserves the attempt on every key before any password is checked (so parallel attempts cannot
 * all pass a count that none has raised yet) and counts it as a failure until proven good.
 * All keys or none: a refusal rolls back the slots already taken. Throws LoginThrottledError
 * when a key must still wait.
 */
export async function reserveLoginAttempt(db: GatewayDb, source: LoginSource): Promise<LoginReservation> {
  const keysOf = sourceKeys(source);
  const since = new Date(Date.now() - LOGIN_THROTTLE.knownSourceMs);
  const known = await isKnownSource(db, knownSourceHash(keysOf), since);
  const keys = throttleKeys(keysOf, known);
  await db.transaction().execute(async (trx) => {
    for (const key of keys) {
      const policy = LOGIN_THROTTLE.scopes[key.scope];
      if (await reserveThrottleSlot(trx, key, policy)) continue;
      const nextAllowedAt = (await throttleNextAllowedAt(trx, key)) ?? new Date();
      throw new LoginThrottledError(retryAfterSeconds(nextAllowedAt, new Date()));
    }
  });
  return { source: keysOf, keys };
}

/**
 * The password was right: the pair starts over; the address and account get their attempt back,
 * and the address's delay ends (the next person behind a shared address who knows their password
 * is not kept waiting by the failures before; the next failure delays it again from its count);
 * the address becomes a known source of the account (exempt from the account's delay).
 */
export async function noteLoginSuccess(db: GatewayDb, reservation: LoginReservation): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const key of reservation.keys) {
      if (key.scope === "pair") await clearThrottleKey(trx, key);
      else
        await refundThrottleSlot(trx, key, LOGIN_THROTTLE.scopes[key.scope], {
          endDelay: key.scope === "address",
        });
    }
    await rememberKnownSource(trx, knownSourceHash(reservation.source));
  });
}

const PRUNE_BATCH = 5_000;
const leakMsByScope = {
  pair: LOGIN_THROTTLE.scopes.pair.leakMs,
  address: LOGIN_THROTTLE.scopes.address.leakMs,
  account: LOGIN_THROTTLE.scopes.account.leakMs,
};

/**
 * Deletes throttle rows nobody touched for the forget period whose failures all leaked away, and
 * known sources past their time.
 */
export async function pruneLoginThrottleRows(db: GatewayDb, now = new Date()): Promise<number> {
  const cutoffs = {
    throttleBefore: new Date(now.getTime() - LOGIN_THROTTLE.forgetAfterMs),
    knownSourceBefore: new Date(now.getTime() - LOGIN_THROTTLE.knownSourceMs),
  };
  let total = 0;
  for (;;) {
    const deleted = await pruneLoginThrottle(db, cutoffs, leakMsByScope, PRUNE_BATCH);
    total += deleted;
    if (deleted < PRUNE_BATCH) return total;
  }
}

/**
 * Prunes every `intervalMs` (not on the request path). Returns the stop function; a failed
 * round is logged and the next one tries again.
 */
export function startLoginThrottlePruning(
  db: GatewayDb,
  log: { warn(details: object, message: string): void },
  intervalMs: number = LOGIN_THROTTLE.pruneIntervalMs,
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = pruneLoginThrottleRows(db).catch((err: unknown) =>
      log.warn({ err }, "pruning login throttle rows failed"),
    );
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
