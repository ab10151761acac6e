import type { GatewayDb } from "../db/database.js";
import {
  deleteDeadSessions,
  deleteSession,
  findLiveSession,
  insertSession,
  type SessionWithUser,
  touchSession,
} from "../db/session.repository.js";
import { newSecret, sha256Hex } from "../domain/secret-token.js";

export interface SessionPolicy {
  /** Absolute lifetime. */
  readonly ttlMs: number;
  /** Ends a session unused for this long. */
  readonly idleMs: number;
}

/** What the client receives once, at login: the cookie values. Only their hashes are stored. */
export interface StartedSession {
  readonly sessionId: string;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

/** Opaque server-side sessions in PostgreSQL, so every gateway replica sees them. */
export interface SessionStore {
  start(userId: string): Promise<StartedSession>;
  /** The live session for a cookie value, refreshing its idle clock; undefined when dead or unknown. */
  resolve(sessionId: string): Promise<SessionWithUser | undefined>;
  end(idHash: string): Promise<void>;
}

// Refreshing last_seen_at on every request would write on every read; a minute is precise enough
// for an idle timeout measured in hours.
const TOUCH_INTERVAL_MS = 60_000;

export function createSessionStore(db: GatewayDb, policy: SessionPolicy): SessionStore {
  const idleCutoff = () => new Date(Date.now() - policy.idleMs);
  return {
    async start(userId) {
      await deleteDeadSessions(db, idleCutoff());
      const sessionId = newSecret();
      const csrfToken = newSecret();
      const expiresAt = new Date(Date.now() + policy.ttlMs);
      await insertSession(db, {
        idHash: sha256Hex(sessionId),
        userId,
        csrfHash: sha256Hex(csrfToken),
        expiresAt,
      });
      return { sessionId, csrfToken, expiresAt };
    },
    async resolve(sessionId) {
      const session = await findLiveSession(db, sha256Hex(sessionId), idleCutoff());
      if (session && Date.now() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
        await touchSession(db, session.idHash);
      }
      return session;
    },
    end: (idHash) => deleteSession(db, idHash),
  };
}
