import { ConflictError, NotFoundError, ValidationError } from "@proximity/errors";
import { revokeApiTokensOfUser } from "../db/api-token.repository.js";
import type { GatewayDb } from "../db/database.js";
import { deleteSessionsOfUser } from "../db/session.repository.js";
import { findUserById, updateUser as updateRow } from "../db/user.repository.js";
import type { UserPatchRow, UserRow } from "../db/users.table.js";
import { hashPassword } from "../domain/password-hash.js";
import type { RequestOrigin } from "./auth-events.js";
import { assertPasswordAcceptable } from "./create-user.js";
import {
  endCredentialEpoch,
  endCredentialsAfterPasswordChange,
  verifyCurrentPassword,
} from "./password-change.js";
import { type Principal, requireSession } from "./principal.js";
import type { SessionLiveness } from "./session-store.js";

export interface UpdateUserInput {
  readonly password?: string;
  /** Required when admins change their own password here (as on POST /api/auth/password). */
  readonly currentPassword?: string;
  readonly isAdmin?: boolean;
  readonly isActive?: boolean;
}

/** The account before and after the change (for the audit's field diff). */
export interface UserChange {
  readonly before: UserRow;
  readonly after: UserRow;
}

/**
 * Changes an account (admins). Admins cannot demote or deactivate themselves (which also
 * guarantees one admin always remains). A new password ends the user's sessions and revokes their
 * API tokens; an admin's own new password needs the current one and a signed-in session, which
 * stays. Deactivating ends every session and revokes every token.
 */
export async function updateUser(
  db: GatewayDb,
  sessions: SessionLiveness,
  actor: Principal,
  id: string,
  input: UpdateUserInput,
  origin: RequestOrigin,
): Promise<UserChange> {
  const self = actor.user.id === id;
  if (self && input.isAdmin === false) throw new ConflictError("You cannot remove your own admin rights");
  if (self && input.isActive === false) throw new ConflictError("You cannot deactivate your own account");
  if (input.currentPassword !== undefined && input.password === undefined) {
    throw new ValidationError("Invalid request", [
      { field: "current_password", message: "is only taken together with password" },
    ]);
  }
  const current = await findUserById(db, id);
  if (!current) throw new NotFoundError("User not found");
  const patch: UserPatchRow = { is_admin: input.isAdmin, is_active: input.isActive };
  let keepSessionId: string | undefined;
  if (input.password !== undefined) {
    assertPasswordAcceptable(input.password, current.username);
    if (self) {
      keepSessionId = requireSession(actor).id;
      await verifyCurrentPassword(db, actor, id, input.currentPassword, origin);
    }
    patch.password_hash = await hashPassword(input.password);
  }
  return db.transaction().execute(async (trx) => {
    const updated = await updateRow(trx, id, patch);
    if (!updated) throw new NotFoundError("User not found");
    // The password first: what it ended is audited as such, and deactivation ends the rest.
    if (input.password !== undefined) {
      await endCredentialsAfterPasswordChange(trx, sessions, actor, updated, keepSessionId, origin);
    }
    if (input.isActive === false) {
      await endCredentialEpoch(trx, id);
      await deleteSessionsOfUser(trx, id, sessions.idleCutoff());
      await revokeApiTokensOfUser(trx, id);
    }
    return { before: current, after: updated };
  });
}
