import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import { recordServerDate } from "./server-clock";

export type { components, paths };
/** A schema of the API by name, e.g. `Schema<"Error">`. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];

/**
 * The readable CSRF cookie set at sign-in. Over HTTPS only the `__Host-` name counts: a plain
 * `proximity_csrf` there could have been planted by a sibling subdomain ("cookie tossing").
 */
const SECURE_CSRF_COOKIE = "__Host-proximity_csrf";
const DEVELOPMENT_CSRF_COOKIE = "proximity_csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function csrfToken(cookies: string = document.cookie, secure = window.location.protocol === "https:") {
  const names = secure ? [SECURE_CSRF_COOKIE] : [SECURE_CSRF_COOKIE, DEVELOPMENT_CSRF_COOKIE];
  for (const part of cookies.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (!name || !names.includes(name)) continue;
    try {
      return decodeURIComponent(value.join("="));
    } catch {
      return undefined; // not a token the gateway set: the write is refused with a clear 403
    }
  }
  return undefined;
}

type Listener = () => void;
const expiryListeners = new Set<Listener>();

/** Called when an API call answers 401: the session ended or expired (auth/session.tsx listens). */
export function onSessionExpired(listener: Listener): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}

/** Cookie sessions echo the CSRF token on unsafe methods, as the API requires. */
const csrf: Middleware = {
  onRequest({ request }) {
    if (SAFE_METHODS.has(request.method)) return undefined;
    const token = csrfToken();
    if (token) request.headers.set("X-CSRF-Token", token);
    return request;
  },
};

/** 401s that say nothing of the session: a refused password, signing out of an ended session. */
const NOT_SESSION_ENDINGS = new Set(["/api/auth/login", "/api/auth/logout"]);

/** What a refused read or write says once the person has signed in again over it. */
export const SESSION_ENDED_DETAIL = "Your session had ended, so this was not done. Please try again.";

const expiry: Middleware = {
  onResponse({ request, response }) {
    const url = new URL(request.url, window.location.origin);
    if (response.status !== 401 || NOT_SESSION_ENDINGS.has(url.pathname)) return undefined;
    for (const listener of expiryListeners) listener();
    // The API's "Not authenticated" would stay under a form after the person signed in again.
    return new Response(JSON.stringify({ detail: SESSION_ENDED_DETAIL }), {
      status: 401,
      headers: { "content-type": "application/json" },
    });
  },
};

/** Until when the gateway asked this client to wait (429 Retry-After), in epoch milliseconds. */
let rateLimitedUntil = 0;

/**
 * Honours 429 Retry-After for every call: until it passes, calls are answered here with a 429
 * instead of being sent, so live refreshes (every few seconds on several pages) do not keep the
 * person over the budget. Writes get the same answer and show its wait.
 */
const backOff: Middleware = {
  onRequest() {
    const waitMs = rateLimitedUntil - Date.now();
    if (waitMs <= 0) return undefined;
    const seconds = Math.ceil(waitMs / 1000);
    return new Response(JSON.stringify({ detail: `Too many requests: try again in ${seconds} s.` }), {
      status: 429,
      headers: { "content-type": "application/json", "retry-after": String(seconds) },
    });
  },
  onResponse({ response }) {
    if (response.status !== 429) return undefined;
    const seconds = Number.parseInt(response.headers.get("retry-after") ?? "", 10);
    rateLimitedUntil =
      Date.now() + (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 300) : 5) * 1000;
    return undefined;
  },
};

/** Keeps the gateway's clock (server-clock.ts) from each answer's `Date` header. */
const serverClock: Middleware = {
  onResponse({ response }) {
    recordServerDate(response.headers.get("date"));
    return undefined;
  },
};

/** Forgets a pending back-off (tests). */
export function resetRateLimitBackOff(): void {
  rateLimitedUntil = 0;
}

/** The typed client of the gateway's public API (types generated from its OpenAPI document). */
export const api = createClient<paths>({
  baseUrl: window.location.origin,
  credentials: "same-origin",
  // Looked up at each call (not captured once), so component tests can stub globalThis.fetch.
  fetch: (request) => globalThis.fetch(request),
});
// Answers pass through middlewares last to first: serverClock sees the gateway's own answer.
api.use(backOff, csrf, expiry, serverClock);
