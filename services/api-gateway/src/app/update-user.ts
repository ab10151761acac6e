import { ConflictError, NotFoundError } from "@proximity/errors";
import { revokeApiTokensOfUser } from "../db/api-token.repository.js";
import type { GatewayDb } from "../db/database.js";
import { deleteSessionsOfUser } from "../db/session.repository.js";
import { findUserById, updateUser as updateRow } from "../db/user.repository.js";
import type { UserPatchRow, UserRow } from "../db/users.table.js";
import { hashPassword } from "../domain/password-hash.js";
import { assertPasswordAcceptable } from "./create-user.js";
import type { Principal } from "./principal.js";

export interface UpdateUserInput {
  readonly password?: string;
  readonly isAdmin?: boolean;
  readonly isActive?: boolean;
}

/**
 * Changes an account. Admins cannot demote or deactivate themselves (which also guarantees one
 * admin always remains). Deactivating ends the user's sessions and revokes their tokens; a new
 * password ends their sessions, so a stolen session does not survive a password reset.
 */
export async function updateUser(
  db: GatewayDb,
  actor: Principal,
  id: string,
  input: UpdateUserInput,
): Promise<UserRow> {
  const self = actor.user.id === id;
  if (self && input.isAdmin === false) throw new ConflictError("You cannot remove your own admin rights");
  if (self && input.isActive === false) throw new ConflictError("You cannot deactivate your own account");
  const current = await findUserById(db, id);
  if (!current) throw new NotFoundError("User not found");
  if (input.password !== undefined) assertPasswordAcceptable(input.password, current.username);

  const patch: UserPatchRow = { is_admin: input.isAdmin, is_active: input.isActive };
  if (input.password !== undefined) patch.password_hash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    const updated = await updateRow(trx, id, patch);
    if (!updated) throw new NotFoundError("User not found");
    if (input.isActive === false || input.password !== undefined) await deleteSessionsOfUser(trx, id);
    if (input.isActive === false) await revokeApiTokensOfUser(trx, id);
    return updated;
  });
}
