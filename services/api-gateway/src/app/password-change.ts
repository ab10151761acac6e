import { RateLimitedError, ValidationError } from "@proximity/errors";
import { revokeApiTokensOfUser } from "../db/api-token.repository.js";
import { countUserEventsSince } from "../db/auth-event.repository.js";
import type { GatewayDb } from "../db/database.js";
import { deleteSessionsOfUser, moveSessionToEpoch } from "../db/session.repository.js";
import { bumpCredentialEpoch, lockUser } from "../db/user.repository.js";
import {
  PASSWORD_CHECK_THROTTLE,
  passwordCheckRetryAfterSeconds,
} from "../domain/password-check-throttle.js";
import { verifyPassword } from "../domain/password-hash.js";
import { type RequestOrigin, recordAuthEvents } from "./auth-events.js";
import type { Principal } from "./principal.js";
import type { SessionLiveness } from "./session-store.js";

/** Too many wrong current passwords; the edge answers 429 with Retry-After. */
export class PasswordCheckThrottledError extends RateLimitedError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super("Too many wrong current passwords, try again later");
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Checks the current password of `userId` before it is changed. Failures are logged and counted
 * per account (the log is the counter), under a lock on the user's row so that parallel guesses
 * are counted one after the other: past the limit the check is refused without verifying (429).
 * A wrong password is a 400 at `current_password`.
 */
export async function verifyCurrentPassword(
  db: GatewayDb,
  actor: Principal,
  userId: string,
  password: string | undefined,
  origin: RequestOrigin,
): Promise<void> {
  if (password === undefined) {
    throw new ValidationError("Invalid request", [
      { field: "current_password", message: "is required to change your own password" },
    ]);
  }
  const matches = await db.transaction().execute(async (trx) => {
    const user = await lockUser(trx, userId);
    if (!user) return false;
    const now = new Date();
    const since = new Date(now.getTime() - PASSWORD_CHECK_THROTTLE.windowMs);
    const failures = await countUserEventsSince(trx, userId, "password_check_failed", since);
    const wait = passwordCheckRetryAfterSeconds(failures.count, failures.oldest, now);
    if (wait > 0) throw new PasswordCheckThrottledError(wait);
    if (await verifyPassword(password, user.password_hash)) return true;
    await recordAuthEvents(trx, origin, [
      { type: "password_check_failed", userId, username: user.username, actor },
    ]);
    return false;
  });
  if (!matches) {
    throw new ValidationError("Invalid request", [{ field: "current_password", message: "is not correct" }]);
  }
}

/** What a password change ended. */
export interface CredentialsEnded {
  readonly sessionsEnded: number;
  readonly tokensRevoked: number;
}

/**
 * After a new password (in its transaction): moves the user's credential epoch on (so a login or
 * token issue still in flight with the old credentials cannot add one), ends the user's sessions
 * but `keepSessionId` (the session of a user changing their own password, moved to the new
 * epoch), revokes all their API tokens, and logs it. The sessions counted as ended are the live
 * ones (dead ones not yet pruned go too, uncounted).
 */
export async function endCredentialsAfterPasswordChange(
  trx: GatewayDb,
  sessions: SessionLiveness,
  actor: Principal,
  user: { readonly id: string; readonly username: string },
  keepSessionId: string | undefined,
  origin: RequestOrigin,
): Promise<CredentialsEnded> {
  const epoch = await endCredentialEpoch(trx, user.id);
  if (keepSessionId) await moveSessionToEpoch(trx, keepSessionId, epoch);
  const deleted = await deleteSessionsOfUser(trx, user.id, sessions.idleCutoff(), {
    exceptId: keepSessionId,
  });
  const ended = deleted.filter((s) => s.live);
  const tokensRevoked = await revokeApiTokensOfUser(trx, user.id);
  await recordAuthEvents(trx, origin, [
    {
      type: "password_changed",
      userId: user.id,
      username: user.username,
      actor,
      details: {
        by: actor.user.id === user.id ? "self" : "admin",
        sessions_ended: ended.length,
        tokens_revoked: tokensRevoked,
      },
    },
  ]);
  return { sessionsEnded: ended.length, tokensRevoked };
}

/**
 * Moves the user's credential epoch on: first in the transaction that ends their credentials, so
 * that sessions and tokens being made meanwhile either committed before (and are ended with the
 * rest) or are refused by the database. The new epoch.
 */
export async function endCredentialEpoch(trx: GatewayDb, userId: string): Promise<number> {
  const epoch = await bumpCredentialEpoch(trx, userId);
  if (epoch === undefined) throw new Error(`user ${userId} vanished within its own update`);
  return epoch;
}
