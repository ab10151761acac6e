import { NotFoundError } from "@proximity/errors";
import type { GatewayDb } from "../db/database.js";
import { deleteSession, deleteSessionOfUser, deleteSessionsOfUser } from "../db/session.repository.js";
import { sha256Hex } from "../domain/secret-token.js";
import { type RequestOrigin, recordAuthEvents } from "./auth-events.js";
import { type Principal, requireSession } from "./principal.js";
import type { SessionLiveness } from "./session-store.js";

/** Logs out: ends the caller's own session (a token caller has none to end). */
export async function logout(db: GatewayDb, principal: Principal, origin: RequestOrigin): Promise<void> {
  const session = principal.session;
  if (!session) return;
  await db.transaction().execute(async (trx) => {
    const ended = await deleteSession(trx, session.idHash);
    if (!ended) return;
    await recordAuthEvents(trx, origin, [
      {
        type: "logout",
        userId: principal.user.id,
        username: principal.user.username,
        actor: principal,
        subjectId: ended.id,
      },
    ]);
  });
}

/**
 * Ends one of the caller's sessions by its public id; another user's session is "not found", and
 * so is one that had already died (expired or idle), as the listing does not show it: it is
 * removed all the same, unaudited. True when it was the session making the request.
 */
export async function endMySession(
  db: GatewayDb,
  sessions: SessionLiveness,
  principal: Principal,
  id: string,
  origin: RequestOrigin,
): Promise<{ current: boolean }> {
  const current = requireSession(principal);
  const ended = await db.transaction().execute(async (trx) => {
    const deleted = await deleteSessionOfUser(trx, principal.user.id, id, sessions.idleCutoff());
    if (!deleted?.live) return false;
    await recordAuthEvents(trx, origin, [
      {
        type: "session_ended",
        userId: principal.user.id,
        username: principal.user.username,
        actor: principal,
        subjectId: id,
        details: { reason: "ended_by_user" },
      },
    ]);
    return true;
  });
  // After the commit: a dead session's delete stands (nothing may use it again).
  if (!ended) throw new NotFoundError("Session not found");
  return { current: id === current.id };
}

/**
 * Ends every session of the caller's except the one making the request; how many live ones ended
 * (dead ones not yet pruned go too, uncounted and unaudited).
 */
export async function endMyOtherSessions(
  db: GatewayDb,
  sessions: SessionLiveness,
  principal: Principal,
  origin: RequestOrigin,
): Promise<number> {
  const current = requireSession(principal);
  return db.transaction().execute(async (trx) => {
    const deleted = await deleteSessionsOfUser(trx, principal.user.id, sessions.idleCutoff(), {
      exceptId: current.id,
    });
    const ended = deleted.filter((s) => s.live).map((s) => s.id);
    await recordAuthEvents(
      trx,
      origin,
      ended.map((id) => ({
        type: "session_ended" as const,
        userId: principal.user.id,
        username: principal.user.username,
        actor: principal,
        subjectId: id,
        details: { reason: "ended_by_user" },
      })),
    );
    return ended.length;
  });
}

/**
 * Ends the session whose cookie a browser still sent when logging in again, whoever's it is: the
 * sender holds its secret, and a login must not leave an older session (perhaps planted) alive.
 */
export async function endPresentedSession(
  db: GatewayDb,
  secret: string,
  origin: RequestOrigin,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const ended = await deleteSession(trx, sha256Hex(secret));
    if (!ended) return;
    await recordAuthEvents(trx, origin, [
      {
        type: "session_ended",
        userId: ended.user_id,
        subjectId: ended.id,
        details: { reason: "replaced_by_login" },
      },
    ]);
  });
}
