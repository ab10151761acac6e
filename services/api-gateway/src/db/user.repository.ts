import { sql } from "kysely";
import type { GatewayDb } from "./database.js";
import type { NewUserRow, UserPatchRow, UserRow } from "./users.table.js";

/** The unique index deciding that usernames are taken case-insensitively. */
export const USERNAME_CONSTRAINT = "users_username_key";

export function findUserById(db: GatewayDb, id: string): Promise<UserRow | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findUserByUsername(db: GatewayDb, username: string): Promise<UserRow | undefined> {
  return db
    .selectFrom("users")
    .selectAll()
    .where(sql<string>`lower(username)`, "=", username.toLowerCase())
    .executeTakeFirst();
}

/** One page of users ordered by username, with the total count. */
export async function listUsers(
  db: GatewayDb,
  page: { limit: number; offset: number },
): Promise<{ rows: UserRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    db
      .selectFrom("users")
      .selectAll()
      .orderBy(sql`lower(username)`)
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Inserts a user; a taken username surfaces as a unique violation on USERNAME_CONSTRAINT. */
export function insertUser(db: GatewayDb, row: NewUserRow): Promise<UserRow> {
  return db.insertInto("users").values(row).returningAll().executeTakeFirstOrThrow();
}

/** Like insertUser, but returns undefined when the username is taken (a concurrent bootstrap won). */
export function insertUserIfAbsent(db: GatewayDb, row: NewUserRow): Promise<UserRow | undefined> {
  return db
    .insertInto("users")
    .values(row)
    .onConflict((oc) => oc.expression(sql`lower(username)`).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function updateUser(db: GatewayDb, id: string, patch: UserPatchRow): Promise<UserRow | undefined> {
  return db
    .updateTable("users")
    .set({ ...patch, updated_at: new Date() })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes a user (sessions and tokens go with it by cascade); false when there was none. */
export async function deleteUser(db: GatewayDb, id: string): Promise<boolean> {
  const result = await db.deleteFrom("users").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function adminExists(db: GatewayDb): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select("id")
    .where("is_admin", "=", true)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
