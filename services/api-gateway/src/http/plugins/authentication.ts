import { PermissionDeniedError, UnauthenticatedError } from "@proximity/errors";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { authenticateRequest } from "../../app/authenticate-request.js";
import type { LastUseRecorder } from "../../app/last-use-recorder.js";
import type { SessionCache } from "../../app/session-cache.js";
import type { SessionStore } from "../../app/session-store.js";
import type { TokenCache } from "../../app/token-cache.js";
import type { GatewayDb } from "../../db/database.js";
import { type Access, requiredScopes } from "../../domain/access.js";
import { sessionCookieOf } from "../cookies.js";

/** The route's declared access; unmatched URLs are public so they can answer 404. */
export function accessOf(request: FastifyRequest): Access {
  if (request.is404) return "public";
  return request.routeOptions.config.access ?? "user";
}

/** The bearer token sent ("" when the header is malformed), undefined without Authorization. */
export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : "";
}

export interface AuthenticationDeps {
  readonly db: GatewayDb;
  readonly sessions: SessionStore;
  readonly cookieSecure: boolean;
  readonly tokenUses?: LastUseRecorder | undefined;
  readonly tokenCache?: TokenCache | undefined;
  readonly sessionCache?: SessionCache | undefined;
}

/**
 * Identifies the caller (bearer token or session cookie) and enforces the route's access level
 * and the token's scopes. Runs in onRequest, before body validation, so an anonymous or
 * unauthorised caller learns nothing about what a valid request would look like.
 */
export function installAuthentication(app: FastifyInstance, deps: AuthenticationDeps): void {
  const { db, sessions, cookieSecure, tokenUses, tokenCache, sessionCache } = deps;
  app.decorateRequest("principal", null);
  app.addHook("onRequest", async (request) => {
    if (!request.is404 && request.routeOptions.config.anonymous) return;
    const access = accessOf(request);
    const bearer = bearerOf(request);
    const sessionId = sessionCookieOf(request, cookieSecure);
    if (access === "public" && bearer === undefined && !sessionId) return;
    const principal = await authenticateRequest(
      db,
      sessions,
      { bearer, sessionId },
      { tokenUses, tokenCache },
    ).catch((err: unknown) => {
      // A bad credential on a public route is ignored rather than failing e.g. the health check.
      if (access === "public") return null;
      throw err;
    });
    request.principal = principal;
    if (principal) request.log = request.log.child({ userId: principal.user.id });
    if (access === "public") return;
    if (!principal) throw new UnauthenticatedError("Not authenticated");
    const missing =
      principal.scopes &&
      requiredScopes(request.method, access).filter((s) => !principal.scopes!.includes(s));
    if (missing?.length) throw new PermissionDeniedError(`API token lacks the ${missing.join(", ")} scope`);
    // The request's admin rights (Principal.isAdmin), the same flag every handler and service sees.
    if (access === "admin" && !principal.isAdmin) throw new PermissionDeniedError("Admin rights required");
  });
  const caches = [tokenCache, sessionCache].filter((c) => c !== undefined);
  if (caches.length > 0) {
    // The database's notice of a changed user, token or session reaches every replica within
    // milliseconds; this replica forgets what it verified before answering a change it made, so
    // the caller's very next request (a revoked token or an ended session tried again) is looked
    // up whatever the notice's timing.
    app.addHook("onSend", async (request, reply, payload) => {
      if (reply.statusCode < 300 && changesIdentities(request))
        for (const cache of caches) cache.invalidate();
      return payload;
    });
  }
}

/**
 * Requests that may change a user, a token or a session: unsafe methods on the login, logout,
 * sessions, tokens, password and users routes.
 */
function changesIdentities(request: FastifyRequest): boolean {
  if (request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS") return false;
  const route = request.routeOptions.url ?? "";
  return (
    route === "/api/auth/login" ||
    route === "/api/auth/logout" ||
    route.startsWith("/api/auth/sessions") ||
    route.startsWith("/api/auth/tokens") ||
    route === "/api/auth/password" ||
    route === "/api/users" ||
    route.startsWith("/api/users/")
  );
}
