import { RateLimitedError, UnauthenticatedError } from "@proximity/errors";
import type { GatewayDb } from "../db/database.js";
import { type RequestOrigin, recordAuthEvents } from "./auth-events.js";
import { type LoginInput, type LoginResult, login } from "./login.js";
import { endPresentedSession } from "./manage-sessions.js";
import type { SessionStore } from "./session-store.js";

export interface SignInInput extends LoginInput {
  readonly userAgent?: string;
  /** The session cookie the browser still sent, if any: it ends once the new session exists. */
  readonly presentedSession?: string;
}

/**
 * A login with its bookkeeping: the new session carries where it came from, an older session the
 * browser still presented ends, and success, failure and throttling go to the authentication log
 * (account name as typed, client address).
 */
export async function signIn(
  db: GatewayDb,
  sessions: SessionStore,
  input: SignInInput,
  origin: RequestOrigin,
): Promise<LoginResult> {
  // The session login() starts records the login's address and user agent.
  const sessionsWithOrigin: SessionStore = {
    ...sessions,
    start: (user) => sessions.start(user, { clientAddress: input.clientAddress, userAgent: input.userAgent }),
  };
  let result: LoginResult;
  try {
    result = await login(db, sessionsWithOrigin, input);
  } catch (err) {
    const type =
      err instanceof UnauthenticatedError
        ? "login_failed"
        : err instanceof RateLimitedError
          ? "login_throttled"
          : undefined;
    if (type) await recordAuthEvents(db, origin, [{ type, username: input.username }]);
    throw err;
  }
  if (input.presentedSession) await endPresentedSession(db, input.presentedSession, origin);
  await recordAuthEvents(db, origin, [
    {
      type: "login_succeeded",
      userId: result.user.id,
      username: input.username,
      subjectId: result.session.id,
    },
  ]);
  return result;
}
