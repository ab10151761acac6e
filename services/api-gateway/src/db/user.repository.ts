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

/** Deletes a user (sessions and tokens go with it by cascade); the deleted row, none when there was none. */
export function deleteUser(db: GatewayDb, id: string): Promise<UserRow | undefined> {
  return db.deleteFrom("users").where("id", "=", id).returningAll().executeTakeFirst();
}

/**
 * Locks the user's row until the transaction ends (and reads it): what serialises the changes
 * that must count or check something of the user first (the token cap, current-password checks).
 */
export function lockUser(trx: GatewayDb, id: string): Promise<UserRow | undefined> {
  return trx.selectFrom("users").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
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

/**
 * Replaces a password hash made with older parameters, only if it is still the stored one (a
 * password changed meanwhile is not overwritten). `updated_at` is left alone: nothing the user
 * or an admin sees has changed.
 */
export async function replacePasswordHash(
  db: GatewayDb,
  id: string,
  previousHash: string,
  nextHash: string,
): Promise<boolean> {
  const result = await db
    .updateTable("users")
    .set({ password_hash: nextHash })
    .where("id", "=", id)
    .where("password_hash", "=", previousHash)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Moves the user's credential epoch on (in a password change's or deactivation's transaction):
 * every session and token made under the old one is dead, and the database refuses new ones that
 * name it. The new epoch; undefined when there is no such user.
 */
export async function bumpCredentialEpoch(trx: GatewayDb, id: string): Promise<number | undefined> {
  const { rows } = await sql<{ credential_epoch: number }>`
    update users set credential_epoch = credential_epoch + 1 where id = ${id}
    returning credential_epoch`.execute(trx);
  return rows[0]?.credential_epoch;
}

/** The name the credential epoch guard (migration 0005) reports its refusals under. */
export const CREDENTIAL_EPOCH_CONSTRAINT = "credential_epoch_current";

/** True when the database refused a session or token made under a credential epoch no longer current. */
export function isStaleCredentialEpoch(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string } | null;
  return e?.code === "23514" && e.constraint === CREDENTIAL_EPOCH_CONSTRAINT;
}
