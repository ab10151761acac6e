import type { GatewayDb } from "../db/database.js";
import {
  findLiveSession,
  insertSession,
  listLiveSessionsOfUser,
  type SessionView,
  type SessionWithUser,
  touchSession,
} from "../db/session.repository.js";
import { newSecret, sha256Hex } from "../domain/secret-token.js";
import type { SessionCache } from "./session-cache.js";

export interface SessionPolicy {
  /** Absolute lifetime. */
  readonly ttlMs: number;
  /** Ends a session unused for this long. */
  readonly idleMs: number;
}

/** What the client receives once, at login: the cookie values. Only their hashes are stored. */
export interface StartedSession {
  /** Public id (listed to the owner, recorded in audit rows). */
  readonly id: string;
  /** The cookie's secret. */
  readonly sessionId: string;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

/** Where a login came from, shown to the owner in their session list. */
export interface SessionOrigin {
  readonly clientAddress?: string;
  readonly userAgent?: string;
}

/** The account a session is started for, with the credential epoch its password was checked under. */
export interface SessionUser {
  readonly id: string;
  readonly credentialEpoch: number;
}

/** Opaque server-side sessions in PostgreSQL, so every gateway replica sees them. */
export interface SessionStore {
  /**
   * Starts a session. The database refuses it (isStaleCredentialEpoch) when the user's password
   * changed since `user.credentialEpoch` was read.
   */
  start(user: SessionUser, origin?: SessionOrigin): Promise<StartedSession>;
  /**
   * The live session for a cookie value, undefined when dead or unknown. Refreshes its idle clock
   * unless `touch` is false (a re-check of a session already in use, not a new use of it).
   */
  resolve(sessionId: string, options?: { touch?: boolean }): Promise<SessionWithUser | undefined>;
  /** One page of the user's live sessions (neither expired nor idle). */
  listOfUser(
    userId: string,
    page: { limit: number; offset: number },
  ): Promise<{ rows: SessionView[]; total: number }>;
  /** Sessions unused since before this are dead (idle), whether or not the pruner removed them yet. */
  idleCutoff(): Date;
}

/** What ending sessions needs of the store: which of them were still live. */
export type SessionLiveness = Pick<SessionStore, "idleCutoff">;

// Refreshing last_seen_at on every request would write on every read; a minute is precise enough
// for an idle timeout measured in tens of minutes. A shorter timeout (1 minute is allowed) is
// touched every half of it: a session touched only once idle would be refused by its touch.
const TOUCH_INTERVAL_MS = 60_000;
const USER_AGENT_MAX = 256;

/** Printable text only, bounded: it is shown back to the user and kept in the database. */
function cleanUserAgent(value: string | undefined): string | null {
  if (!value) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const text = value.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, USER_AGENT_MAX);
  return text || null;
}

/**
 * `cache`: sessions this replica resolved (app/session-cache.ts); without it every use is looked up.
 */
export function createSessionStore(db: GatewayDb, policy: SessionPolicy, cache?: SessionCache): SessionStore {
  const idleCutoff = () => new Date(Date.now() - policy.idleMs);
  const touchIntervalMs = Math.min(TOUCH_INTERVAL_MS, policy.idleMs / 2);
  return {
    async start(user, origin = {}) {
      const sessionId = newSecret();
      const csrfToken = newSecret();
      const expiresAt = new Date(Date.now() + policy.ttlMs);
      const id = await insertSession(db, {
        idHash: sha256Hex(sessionId),
        userId: user.id,
        credentialEpoch: user.credentialEpoch,
        csrfHash: sha256Hex(csrfToken),
        expiresAt,
        clientAddress: origin.clientAddress ?? null,
        userAgent: cleanUserAgent(origin.userAgent),
      });
      return { id, sessionId, csrfToken, expiresAt };
    },
    async resolve(sessionId, { touch = true } = {}) {
      // One ticket for the lookup and the touch: a change noticed at any point from here on keeps
      // what may be an ended session out of the cache.
      const ticket = cache?.begin();
      const kept = cache?.get(sessionId);
      let session = kept ?? (await findLiveSession(db, sha256Hex(sessionId), idleCutoff()));
      if (!session) return undefined;
      const looked = !kept;
      if (touch && Date.now() - session.lastSeenAt.getTime() > touchIntervalMs) {
        const at = new Date();
        if (!(await touchSession(db, session.idHash, at, idleCutoff()))) {
          cache?.forget(sessionId); // ended, or died, meanwhile
          return undefined;
        }
        session = { ...session, lastSeenAt: at };
        // A kept entry keeps its end: a use refreshes what is known, not how long it is trusted.
        if (!looked && ticket) cache?.update(sessionId, session, ticket);
      }
      // A kept session served untouched changes nothing in the cache (no write on that path).
      if (looked && ticket) cache?.put(sessionId, session, ticket);
      return session;
    },
    listOfUser: (userId, page) => listLiveSessionsOfUser(db, userId, idleCutoff(), page),
    idleCutoff,
  };
}
