import { ConflictError, NotFoundError } from "@proximity/errors";
import type { GatewayDb } from "../db/database.js";
import { deleteUser as deleteRow } from "../db/user.repository.js";
import type { Principal } from "./principal.js";

/** Deletes an account with its sessions and tokens (cascade); admins cannot delete themselves. */
export async function deleteUser(db: GatewayDb, actor: Principal, id: string): Promise<void> {
  if (actor.user.id === id) throw new ConflictError("You cannot delete your own account");
  if (!(await deleteRow(db, id))) throw new NotFoundError("User not found");
}
