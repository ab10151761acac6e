import type { CookieSerializeOptions } from "@fastify/cookie";
import type { FastifyReply } from "fastify";
import type { StartedSession } from "../app/session-store.js";

export const SESSION_COOKIE = "proximity_session";
/** Readable by the page's script, which echoes it in X-CSRF-Token. */
export const CSRF_COOKIE = "proximity_csrf";

const base = (secure: boolean): CookieSerializeOptions => ({ path: "/", sameSite: "strict", secure });

export function setSessionCookies(reply: FastifyReply, session: StartedSession, secure: boolean): void {
  const expires = session.expiresAt;
  reply.setCookie(SESSION_COOKIE, session.sessionId, { ...base(secure), httpOnly: true, expires });
  reply.setCookie(CSRF_COOKIE, session.csrfToken, { ...base(secure), httpOnly: false, expires });
}

export function clearSessionCookies(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { ...base(secure), httpOnly: true });
  reply.clearCookie(CSRF_COOKIE, { ...base(secure), httpOnly: false });
}
