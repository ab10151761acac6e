import { RateLimitedError } from "@proximity/errors";
import type { GatewayDb } from "../db/database.js";
import {
  clearAccountFailures,
  loginFailuresSince,
  pruneLoginAttempts,
  recordLoginFailure,
} from "../db/login-attempt.repository.js";
import { LOGIN_THROTTLE, loginRetryAfterSeconds } from "../domain/login-throttle-policy.js";

/** Too many failed logins; the edge answers 429 with Retry-After. */
export class LoginThrottledError extends RateLimitedError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super("Too many failed login attempts, try again later");
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Who is trying to log in: the account name as typed and the client address. */
export interface LoginSource {
  readonly username: string;
  readonly clientAddress: string;
}

const accountKey = (source: LoginSource) => source.username.toLowerCase();

/** Throws LoginThrottledError when the account or the address failed too often recently. */
export async function assertLoginAllowed(db: GatewayDb, source: LoginSource): Promise<void> {
  const now = new Date();
  const since = new Date(now.getTime() - LOGIN_THROTTLE.windowMs);
  const { account, address } = await loginFailuresSince(db, accountKey(source), source.clientAddress, since);
  const retryAfter = loginRetryAfterSeconds(account, address, now);
  if (retryAfter > 0) throw new LoginThrottledError(retryAfter);
}

export async function noteLoginFailure(db: GatewayDb, source: LoginSource): Promise<void> {
  await recordLoginFailure(db, accountKey(source), source.clientAddress);
  await pruneLoginAttempts(db, new Date(Date.now() - LOGIN_THROTTLE.windowMs));
}

export async function noteLoginSuccess(db: GatewayDb, source: LoginSource): Promise<void> {
  await clearAccountFailures(db, accountKey(source));
}
