import { UnauthenticatedError } from "@proximity/errors";
import type { GatewayDb } from "../db/database.js";
import { findUserByUsername, isStaleCredentialEpoch, replacePasswordHash } from "../db/user.repository.js";
import type { UserRow } from "../db/users.table.js";
import { hashPassword, needsRehash, verifyPassword } from "../domain/password-hash.js";
import { newSecret } from "../domain/secret-token.js";
import { type LoginSource, noteLoginSuccess, reserveLoginAttempt } from "./login-throttle.js";
import type { SessionStore, StartedSession } from "./session-store.js";

export interface LoginInput extends LoginSource {
  readonly password: string;
}

export interface LoginResult {
  readonly user: UserRow;
  readonly session: StartedSession;
}

/** One message for every failure, so a response never tells whether the account exists. */
export const INVALID_CREDENTIALS = "Invalid username or password";

// Unknown users are checked against this hash (made with the current parameters) so that they
// cost one scrypt like known ones do.
let dummyHash: Promise<string> | undefined;
const getDummyHash = () => {
  dummyHash ??= hashPassword(newSecret());
  return dummyHash;
};

/** Computes the dummy hash ahead of the first login, so that one is not slower for unknown users. */
export async function prepareLogin(): Promise<void> {
  await getDummyHash();
}

/**
 * Verifies credentials and starts a session. The attempt is reserved (throttled per account and
 * address, see login-throttle.ts) before any hash is computed, and counts as a failure unless the
 * password proves right. A hash made with older parameters is replaced on a good login. The
 * session carries the credential epoch the password was read under: when the password changed
 * while this login was verifying the old one, the database refuses the session (401).
 */
export async function login(db: GatewayDb, sessions: SessionStore, input: LoginInput): Promise<LoginResult> {
  const reservation = await reserveLoginAttempt(db, input);
  const user = await findUserByUsername(db, input.username);
  const storedHash = user?.password_hash ?? (await getDummyHash());
  const matches = await verifyPassword(input.password, storedHash);
  if (!user || !matches || !user.is_active) throw new UnauthenticatedError(INVALID_CREDENTIALS);
  await noteLoginSuccess(db, reservation);
  if (needsRehash(storedHash)) {
    await replacePasswordHash(db, user.id, storedHash, await hashPassword(input.password));
  }
  try {
    return { user, session: await sessions.start({ id: user.id, credentialEpoch: user.credential_epoch }) };
  } catch (err) {
    if (isStaleCredentialEpoch(err)) throw new UnauthenticatedError(INVALID_CREDENTIALS);
    throw err;
  }
}
