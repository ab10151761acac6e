import { NotFoundError } from "@proximity/errors";
import type { GatewayDb } from "../db/database.js";
import { findUserById, listUsers } from "../db/user.repository.js";
import type { UserRow } from "../db/users.table.js";

export async function getUser(db: GatewayDb, id: string): Promise<UserRow> {
  const user = await findUserById(db, id);
  if (!user) throw new NotFoundError("User not found");
  return user;
}

export interface UserPage {
  readonly items: UserRow[];
  readonly total: number;
}

export async function listUserPage(db: GatewayDb, page: number, perPage: number): Promise<UserPage> {
  const { rows, total } = await listUsers(db, { limit: perPage, offset: (page - 1) * perPage });
  return { items: rows, total };
}
