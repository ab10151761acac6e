import { sql } from "kysely";
import type { ApiTokenRow } from "./api-tokens.table.js";
import type { GatewayDb } from "./database.js";
import type { UserRow } from "./users.table.js";

export interface NewApiToken {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly secretHash: string;
  /** The creator's credential epoch; the insert fails once it is not the user's current one. */
  readonly credentialEpoch: number;
  readonly expiresAt: Date;
  readonly createdBySessionId: string | null;
  readonly createdByTokenId: string | null;
}

/** A usable token (not revoked, not expired) with its active owner. */
export interface ApiTokenWithUser {
  readonly token: Pick<ApiTokenRow, "id" | "scopes" | "secret_hash" | "expires_at" | "credential_epoch">;
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
      credential_epoch: token.credentialEpoch,
      expires_at: token.expiresAt,
      created_by_session_id: token.createdBySessionId,
      created_by_token_id: token.createdByTokenId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Tokens of the user that are neither revoked nor expired. */
export async function countLiveApiTokens(db: GatewayDb, userId: string): Promise<number> {
  const row = await db
    .selectFrom("api_tokens")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface TokenListOptions {
  /** Only tokens neither revoked nor expired. */
  readonly liveOnly: boolean;
  readonly limit: number;
  readonly offset: number;
}

/** One page of the user's tokens, newest first, with the total count. */
export async function listApiTokensOfUser(
  db: GatewayDb,
  userId: string,
  options: TokenListOptions,
): Promise<{ rows: ApiTokenRow[]; total: number }> {
  let query = db.selectFrom("api_tokens").where("user_id", "=", userId);
  if (options.liveOnly) {
    query = query.where("revoked_at", "is", null).where("expires_at", ">", sql<Date>`now()`);
  }
  const [rows, count] = await Promise.all([
    query
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("id")
      .limit(options.limit)
      .offset(options.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** The token when it is neither revoked nor expired, its user is active and its credential epoch current. */
export async function findUsableApiToken(db: GatewayDb, id: string): Promise<ApiTokenWithUser | undefined> {
  const row = await db
    .selectFrom("api_tokens as t")
    .innerJoin("users as u", "u.id", "t.user_id")
    .select([
      "t.id",
      "t.scopes",
      "t.secret_hash",
      "t.expires_at",
      "t.credential_epoch",
      "u.id as user_id",
      "u.username",
      "u.is_admin",
    ])
    .where("t.id", "=", id)
    .where("t.revoked_at", "is", null)
    .where("t.expires_at", ">", new Date())
    .where("u.is_active", "=", true)
    .whereRef("t.credential_epoch", "=", "u.credential_epoch")
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    token: {
      id: row.id,
      scopes: row.scopes,
      secret_hash: row.secret_hash,
      expires_at: row.expires_at,
      credential_epoch: row.credential_epoch,
    },
    user: { id: row.user_id, username: row.username, is_admin: row.is_admin },
  };
}

/** How stale a stored last use may be before a newer use is written over it. */
export const LAST_USE_GRANULARITY_MS = 60_000;

/**
 * Records the last use of many tokens in one statement (the gateway batches uses, see
 * last-use-recorder.ts). A row is written only when its stored time is older than
 * LAST_USE_GRANULARITY_MS before the new one: a busy token costs one row write a minute at most.
 */
export async function recordApiTokenUses(
  db: GatewayDb,
  ids: readonly string[],
  usedAt: readonly Date[],
): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    update api_tokens t set last_used_at = u.used_at
    from unnest(${[...ids]}::uuid[], ${[...usedAt]}::timestamptz[]) as u(id, used_at)
    where t.id = u.id
      and (t.last_used_at is null
        or t.last_used_at < u.used_at - make_interval(secs => ${LAST_USE_GRANULARITY_MS / 1000}))`.execute(
    db,
  );
}

/**
 * Revokes one of the user's live tokens and every live token created from it, at any depth (a
 * token never outlives the one that made it); the ids revoked, none when the user has no such
 * live token.
 */
export async function revokeApiTokenTree(db: GatewayDb, id: string, userId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    with recursive tree as (
      select id from api_tokens where id = ${id} and user_id = ${userId} and revoked_at is null
      union
      select t.id from api_tokens t join tree on t.created_by_token_id = tree.id
    )
    update api_tokens set revoked_at = now()
    where id in (select id from tree) and revoked_at is null
    returning id`.execute(db);
  return rows.map((r) => r.id);
}

/** Revokes every live token of the user; how many were revoked. */
export async function revokeApiTokensOfUser(db: GatewayDb, userId: string): Promise<number> {
  const result = await db
    .updateTable("api_tokens")
    .set({ revoked_at: new Date() })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Locks the usable token with this id against revocation until the transaction ends; false when it
 * was revoked or expired (what a token issued with it checks, so that a revocation that committed
 * first wins).
 */
export async function lockUsableApiToken(trx: GatewayDb, id: string): Promise<boolean> {
  const row = await trx
    .selectFrom("api_tokens")
    .select("id")
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .forShare()
    .executeTakeFirst();
  return row !== undefined;
}
