import { sql } from "kysely";
import type { GatewayDb } from "./database.js";
import type { SessionRow } from "./sessions.table.js";
import type { UserRow } from "./users.table.js";

export interface NewSession {
  readonly idHash: string;
  readonly userId: string;
  readonly csrfHash: string;
  /** The user's credential epoch the login verified under; the insert fails once it is not current. */
  readonly credentialEpoch: number;
  readonly expiresAt: Date;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
}

/** A live session with its (active) user. */
export interface SessionWithUser {
  /** Public id (never the cookie's secret). */
  readonly id: string;
  readonly idHash: string;
  readonly csrfHash: string;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
  readonly credentialEpoch: number;
  readonly user: Pick<UserRow, "id" | "username" | "is_admin">;
}

/** A session as its owner sees it in their list. */
export type SessionView = Pick<
  SessionRow,
  "id" | "created_at" | "last_seen_at" | "expires_at" | "client_address" | "user_agent"
>;

/**
 * Inserts a session; its public id. Refused by the database (isStaleCredentialEpoch) when the
 * user's credential epoch moved on since `credentialEpoch` was read.
 */
export async function insertSession(db: GatewayDb, session: NewSession): Promise<string> {
  const row = await db
    .insertInto("sessions")
    .values({
      id_hash: session.idHash,
      user_id: session.userId,
      csrf_hash: session.csrfHash,
      credential_epoch: session.credentialEpoch,
      expires_at: session.expiresAt,
      client_address: session.clientAddress,
      user_agent: session.userAgent,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * The session when it is neither expired nor idle since `idleCutoff`, its user is active and it
 * was made under the user's current credential epoch.
 */
export async function findLiveSession(
  db: GatewayDb,
  idHash: string,
  idleCutoff: Date,
): Promise<SessionWithUser | undefined> {
  const row = await db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select([
      "s.id as session_id",
      "s.id_hash",
      "s.csrf_hash",
      "s.last_seen_at",
      "s.expires_at",
      "s.credential_epoch",
      "u.id",
      "u.username",
      "u.is_admin",
    ])
    .where("s.id_hash", "=", idHash)
    .where("s.expires_at", ">", new Date())
    .where("s.last_seen_at", ">", idleCutoff)
    .where("u.is_active", "=", true)
    .whereRef("s.credential_epoch", "=", "u.credential_epoch")
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.session_id,
    idHash: row.id_hash,
    csrfHash: row.csrf_hash,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    credentialEpoch: row.credential_epoch,
    user: { id: row.id, username: row.username, is_admin: row.is_admin },
  };
}

/** One page of the user's live sessions, most recently used first, with the total count. */
export async function listLiveSessionsOfUser(
  db: GatewayDb,
  userId: string,
  idleCutoff: Date,
  page: { limit: number; offset: number },
): Promise<{ rows: SessionView[]; total: number }> {
  const live = db
    .selectFrom("sessions")
    .where("user_id", "=", userId)
    .where("expires_at", ">", sql<Date>`now()`)
    .where("last_seen_at", ">", idleCutoff);
  const [rows, count] = await Promise.all([
    live
      .select(["id", "created_at", "last_seen_at", "expires_at", "client_address", "user_agent"])
      .orderBy("last_seen_at", "desc")
      .orderBy("id")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    live.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/**
 * Records a use of the session at `at`, which its idle timeout counts from; false when it has
 * ended, or died (expired, or idle since `idleCutoff`) since it was looked up: a dead session the
 * pruner has not removed yet is never brought back to life by a late use.
 */
export async function touchSession(
  db: GatewayDb,
  idHash: string,
  at: Date,
  idleCutoff: Date,
): Promise<boolean> {
  const result = await db
    .updateTable("sessions")
    .set({ last_seen_at: at })
    .where("id_hash", "=", idHash)
    // The lookup's clock (findLiveSession): a session it found live is not refused for skew.
    .where("expires_at", ">", at)
    .where("last_seen_at", ">", idleCutoff)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deletes the session with this secret's hash; its public id and user, none when there was none. */
export function deleteSession(
  db: GatewayDb,
  idHash: string,
): Promise<{ id: string; user_id: string } | undefined> {
  return db
    .deleteFrom("sessions")
    .where("id_hash", "=", idHash)
    .returning(["id", "user_id"])
    .executeTakeFirst();
}

/** A deleted session: its public id, and whether it was live (see liveAt). */
export interface DeletedSession {
  readonly id: string;
  readonly live: boolean;
}

/**
 * Whether a row is a live session, as the lookup and the listing judge it, on the database's
 * clock: not expired, and used since `idleCutoff`. A dead one only waits for the pruner
 * (dead-session-pruner.ts).
 */
const liveAt = (idleCutoff: Date) =>
  sql<boolean>`expires_at > now() and last_seen_at > ${idleCutoff}`.as("live");

/**
 * Deletes one of the user's sessions by its public id, dead or live; undefined when the user has
 * no session with that id. `idleCutoff`: whether it was live (SessionStore.idleCutoff).
 */
export async function deleteSessionOfUser(
  db: GatewayDb,
  userId: string,
  id: string,
  idleCutoff: Date,
): Promise<DeletedSession | undefined> {
  return db
    .deleteFrom("sessions")
    .where("user_id", "=", userId)
    .where("id", "=", id)
    .returning(["id", liveAt(idleCutoff)])
    .executeTakeFirst();
}

/**
 * Deletes the user's sessions, all or all but one (by public id), dead ones not yet pruned
 * included; each with whether it was live (`idleCutoff`: SessionStore.idleCutoff). What a user is
 * told and the audit records are the live ones: a session that had already died was not ended here.
 */
export async function deleteSessionsOfUser(
  db: GatewayDb,
  userId: string,
  idleCutoff: Date,
  options: { exceptId?: string } = {},
): Promise<DeletedSession[]> {
  let query = db.deleteFrom("sessions").where("user_id", "=", userId);
  if (options.exceptId) query = query.where("id", "!=", options.exceptId);
  return query.returning(["id", liveAt(idleCutoff)]).execute();
}

/**
 * Removes up to `limit` sessions past their TTL or idle since `idleCutoff` (housekeeping: no
 * lookup ever finds them); how many it removed.
 */
export async function deleteDeadSessions(db: GatewayDb, idleCutoff: Date, limit: number): Promise<number> {
  const now = new Date();
  const result = await db
    .deleteFrom("sessions")
    .where(
      "id",
      "in",
      db
        .selectFrom("sessions")
        .select("id")
        .where((eb) => eb.or([eb("expires_at", "<=", now), eb("last_seen_at", "<=", idleCutoff)]))
        .limit(limit),
    )
    // Again on the row deleted: a use recorded while the delete waited for it keeps the session.
    .where((eb) => eb.or([eb("expires_at", "<=", now), eb("last_seen_at", "<=", idleCutoff)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Locks the live session with this public id against ending until the transaction ends; false
 * when it has ended or expired (what a token issued with it checks, so that a logout that
 * committed first wins).
 */
export async function lockLiveSession(trx: GatewayDb, id: string): Promise<boolean> {
  const row = await trx
    .selectFrom("sessions")
    .select("id")
    .where("id", "=", id)
    .where("expires_at", ">", sql<Date>`now()`)
    .forShare()
    .executeTakeFirst();
  return row !== undefined;
}

/** Moves a session to the user's new credential epoch (the session that changed the password). */
export async function moveSessionToEpoch(trx: GatewayDb, id: string, epoch: number): Promise<void> {
  await trx.updateTable("sessions").set({ credential_epoch: epoch }).where("id", "=", id).execute();
}
