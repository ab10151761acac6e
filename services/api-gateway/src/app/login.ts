import { UnauthenticatedError } from "@proximity/errors";
import type { GatewayDb } from "../db/database.js";
import { findUserByUsername } from "../db/user.repository.js";
import type { UserRow } from "../db/users.table.js";
import { hashPassword, verifyPassword } from "../domain/password-hash.js";
import { newSecret } from "../domain/secret-token.js";
import {
  assertLoginAllowed,
  type LoginSource,
  noteLoginFailure,
  noteLoginSuccess,
} from "./login-throttle.js";
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

// Unknown users are checked against this hash so that they cost one scrypt like known ones do.
let dummyHash: Promise<string> | undefined;
const getDummyHash = () => {
  dummyHash ??= hashPassword(newSecret());
  return dummyHash;
};

/** Computes the dummy hash ahead of the first login, so that one is not slower for unknown users. */
export async function prepareLogin(): Promise<void> {
  await getDummyHash();
}

/** Verifies credentials (throttled per account and address) and starts a session. */
export async function login(db: GatewayDb, sessions: SessionStore, input: LoginInput): Promise<LoginResult> {
  await assertLoginAllowed(db, input);
  const user = await findUserByUsername(db, input.username);
  const matches = await verifyPassword(input.password, user?.password_hash ?? (await getDummyHash()));
  if (!user || !matches || !user.is_active) {
    await noteLoginFailure(db, input);
    throw new UnauthenticatedError(INVALID_CREDENTIALS);
  }
  await noteLoginSuccess(db, input);
  return { user, session: await sessions.start(user.id) };
}
