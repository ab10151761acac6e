import type { ApiTokenRow } from "./api-tokens.table.js";
import type { GatewayDb } from "./database.js";
import type { UserRow } from "./users.table.js";

export interface NewApiToken {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly secretHash: string;
  readonly expiresAt: Date | null;
}

/** A usable token (not revoked, not expired) with its active owner. */
export interface ApiTokenWithUser {
  readonly token: Pick<ApiTokenRow, "id" | "scopes" | "secret_hash">;
  readonly user: Pick<UserRow, "id" | "username" | "is_admin">;
}

export function insertApiToken(db: GatewayDb, token: NewApiToken): Promise<ApiTokenRow> {
  return db
    .insertInto("api_tokens")
    .values({
      id: token.id,
      user_id: token.userId,
      name: token.name,
      scopes: [...token.scopes],
      secret_hash: token.secretHash,
      expires_at: token.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listApiTokensOfUser(db: GatewayDb, userId: string): Promise<ApiTokenRow[]> {
  return db
    .selectFrom("api_tokens")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .execute();
}

export async function findUsableApiToken(db: GatewayDb, id: string): Promise<ApiTokenWithUser | undefined> {
  const row = await db
    .selectFrom("api_tokens as t")
    .innerJoin("users as u", "u.id", "t.user_id")
    .select(["t.id", "t.scopes", "t.secret_hash", "u.id as user_id", "u.username", "u.is_admin"])
    .where("t.id", "=", id)
    .where("t.revoked_at", "is", null)
    .where((eb) => eb.or([eb("t.expires_at", "is", null), eb("t.expires_at", ">", new Date())]))
    .where("u.is_active", "=", true)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    token: { id: row.id, scopes: row.scopes, secret_hash: row.secret_hash },
    user: { id: row.user_id, username: row.username, is_admin: row.is_admin },
  };
}

export async function markApiTokenUsed(db: GatewayDb, id: string): Promise<void> {
  await db.updateTable("api_tokens").set({ last_used_at: new Date() }).where("id", "=", id).execute();
}

/** Revokes one of the user's tokens; false when the user has no such live token. */
export async function revokeApiToken(db: GatewayDb, id: string, userId: string): Promise<boolean> {
  const result = await db
    .updateTable("api_tokens")
    .set({ revoked_at: new Date() })
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function revokeApiTokensOfUser(db: GatewayDb, userId: string): Promise<void> {
  await db
    .updateTable("api_tokens")
    .set({ revoked_at: new Date() })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .execute();
}
