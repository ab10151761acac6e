import type { GatewayDb } from "./database.js";
import type { UserRow } from "./users.table.js";

export interface NewSession {
  readonly idHash: string;
  readonly userId: string;
  readonly csrfHash: string;
  readonly expiresAt: Date;
}

/** A live session with its (active) user. */
export interface SessionWithUser {
  readonly idHash: string;
  readonly csrfHash: string;
  readonly lastSeenAt: Date;
  readonly user: Pick<UserRow, "id" | "username" | "is_admin">;
}

export async function insertSession(db: GatewayDb, session: NewSession): Promise<void> {
  await db
    .insertInto("sessions")
    .values({
      id_hash: session.idHash,
      user_id: session.userId,
      csrf_hash: session.csrfHash,
      expires_at: session.expiresAt,
    })
    .execute();
}

/** The session when it is neither expired nor idle since `idleCutoff`, and its user is active. */
export async function findLiveSession(
  db: GatewayDb,
  idHash: string,
  idleCutoff: Date,
): Promise<SessionWithUser | undefined> {
  const row = await db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select(["s.id_hash", "s.csrf_hash", "s.last_seen_at", "u.id", "u.username", "u.is_admin"])
    .where("s.id_hash", "=", idHash)
    .where("s.expires_at", ">", new Date())
    .where("s.last_seen_at", ">", idleCutoff)
    .where("u.is_active", "=", true)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    idHash: row.id_hash,
    csrfHash: row.csrf_hash,
    lastSeenAt: row.last_seen_at,
    user: { id: row.id, username: row.username, is_admin: row.is_admin },
  };
}

export async function touchSession(db: GatewayDb, idHash: string): Promise<void> {
  await db.updateTable("sessions").set({ last_seen_at: new Date() }).where("id_hash", "=", idHash).execute();
}

export async function deleteSession(db: GatewayDb, idHash: string): Promise<void> {
  await db.deleteFrom("sessions").where("id_hash", "=", idHash).execute();
}

export async function deleteSessionsOfUser(db: GatewayDb, userId: string): Promise<void> {
  await db.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

/** Removes sessions past their TTL or idle since `idleCutoff` (housekeeping, run at login). */
export async function deleteDeadSessions(db: GatewayDb, idleCutoff: Date): Promise<void> {
  await db
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("expires_at", "<=", new Date()), eb("last_seen_at", "<=", idleCutoff)]))
    .execute();
}
