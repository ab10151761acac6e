import { NotFoundError } from "@proximity/errors";
import type { GatewayDb } from "../db/database.js";
import { findUserById, updateUser } from "../db/user.repository.js";
import { hashPassword } from "../domain/password-hash.js";
import type { RequestOrigin } from "./auth-events.js";
import { assertPasswordAcceptable } from "./create-user.js";
import {
  type CredentialsEnded,
  endCredentialsAfterPasswordChange,
  verifyCurrentPassword,
} from "./password-change.js";
import { type Principal, requireSession } from "./principal.js";
import type { SessionLiveness } from "./session-store.js";

export interface ChangeOwnPasswordInput {
  readonly currentPassword: string;
  readonly newPassword: string;
}

/**
 * Self-service password change (every user): from a signed-in session, with the current password.
 * The session making the change stays; every other session ends and every API token is revoked,
 * so whoever held a stolen session or token is out.
 */
export async function changeOwnPassword(
  db: GatewayDb,
  sessions: SessionLiveness,
  principal: Principal,
  input: ChangeOwnPasswordInput,
  origin: RequestOrigin,
): Promise<CredentialsEnded> {
  const session = requireSession(principal);
  const user = await findUserById(db, principal.user.id);
  if (!user) throw new NotFoundError("User not found");
  assertPasswordAcceptable(input.newPassword, user.username, "new_password");
  await verifyCurrentPassword(db, principal, user.id, input.currentPassword, origin);
  const passwordHash = await hashPassword(input.newPassword);
  return db.transaction().execute(async (trx) => {
    if (!(await updateUser(trx, user.id, { password_hash: passwordHash }))) {
      throw new NotFoundError("User not found");
    }
    return endCredentialsAfterPasswordChange(trx, sessions, principal, user, session.id, origin);
  });
}
