import { PermissionDeniedError } from "@proximity/errors";
import type { FastifyInstance } from "fastify";
import { isUnsafeMethod } from "../../domain/access.js";
import { matchesHash } from "../../domain/secret-token.js";

export const CSRF_HEADER = "x-csrf-token";

/**
 * Cookie-authenticated unsafe requests must echo the session's CSRF token in X-CSRF-Token: a
 * cross-site form can make the browser send the cookie, but cannot read the token. Bearer
 * tokens are never sent automatically by browsers, so they need no such proof.
 */
export function installCsrfProtection(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    const session = request.principal?.session;
    if (!session || !isUnsafeMethod(request.method)) return;
    const header = request.headers[CSRF_HEADER];
    if (typeof header !== "string" || !matchesHash(header, session.csrfHash)) {
      throw new PermissionDeniedError("CSRF token missing or invalid");
    }
  });
}
