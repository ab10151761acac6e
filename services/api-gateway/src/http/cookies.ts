import type { CookieSerializeOptions } from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { StartedSession } from "../app/session-store.js";

/**
 * Cookie names over HTTPS. The `__Host-` prefix makes browsers accept a cookie only when it is
 * Secure, has Path=/ and no Domain, so a sibling subdomain cannot plant or overwrite it ("cookie
 * tossing": a login CSRF that makes the victim work inside the attacker's account).
 */
export const SESSION_COOKIE = "__Host-proximity_session";
/** Readable by the page's script, which echoes it in X-CSRF-Token. */
export const CSRF_COOKIE = "__Host-proximity_csrf";

/** Browsers refuse `__Host-` cookies without Secure: plain names only when insecure cookies are configured (dev). */
const INSECURE_NAMES = { session: "proximity_session", csrf: "proximity_csrf" } as const;

export interface CookieNames {
  readonly session: string;
  readonly csrf: string;
}

export function cookieNames(secure: boolean): CookieNames {
  return secure ? { session: SESSION_COOKIE, csrf: CSRF_COOKIE } : INSECURE_NAMES;
}

/** The session cookie's value as sent, under the one name the configuration uses. */
export function sessionCookieOf(request: FastifyRequest, secure: boolean): string | undefined {
  return request.cookies[cookieNames(secure).session] || undefined;
}

// Path=/ and no Domain: what `__Host-` requires, and the right scope for the plain names too.
const base = (secure: boolean): CookieSerializeOptions => ({ path: "/", sameSite: "strict", secure });

export function setSessionCookies(reply: FastifyReply, session: StartedSession, secure: boolean): void {
  const names = cookieNames(secure);
  const expires = session.expiresAt;
  reply.setCookie(names.session, session.sessionId, { ...base(secure), httpOnly: true, expires });
  reply.setCookie(names.csrf, session.csrfToken, { ...base(secure), httpOnly: false, expires });
}

export function clearSessionCookies(reply: FastifyReply, secure: boolean): void {
  const names = cookieNames(secure);
  reply.clearCookie(names.session, { ...base(secure), httpOnly: true });
  reply.clearCookie(names.csrf, { ...base(secure), httpOnly: false });
}
