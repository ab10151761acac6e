import { ConflictError, NotFoundError } from "@proximity/errors";
import type { GatewayDb } from "../db/database.js";
import { deleteUser as deleteRow, findUserById } from "../db/user.repository.js";
import type { UserRow } from "../db/users.table.js";
import type { Principal } from "./principal.js";

/** How many live apps a user owns (the applications service knows; its quota counts them). */
export type OwnedApps = (userId: string) => Promise<number>;

/**
 * Deletes an account with its sessions and tokens (cascade); the deleted account (for the audit).
 * Refused for the caller's own account and while the user still owns apps: apps without an owner
 * would be nobody's to operate or delete.
 */
export async function deleteUser(
  db: GatewayDb,
  actor: Principal,
  id: string,
  ownedApps: OwnedApps,
): Promise<UserRow> {
  if (actor.user.id === id) throw new ConflictError("You cannot delete your own account");
  if (!(await findUserById(db, id))) throw new NotFoundError("User not found");
  const apps = await ownedApps(id);
  if (apps > 0) {
    throw new ConflictError(
      `The user still owns ${apps} ${apps === 1 ? "app" : "apps"}; delete them before deleting the account`,
    );
  }
  const deleted = await deleteRow(db, id);
  if (!deleted) throw new NotFoundError("User not found");
  return deleted;
}
