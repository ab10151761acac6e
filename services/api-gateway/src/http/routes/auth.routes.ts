import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { getUser } from "../../app/find-users.js";
import { logout } from "../../app/manage-sessions.js";
import { signIn } from "../../app/sign-in.js";
import { clearSessionCookies, sessionCookieOf, setSessionCookies } from "../cookies.js";
import type { HttpDeps } from "../deps.js";
import { principalOf } from "../request-helpers.js";
import { originOf } from "../request-origin.js";
import { noContent } from "../schemas/common.schema.js";
import { toUserJson, userJson } from "../schemas/user.schema.js";

// Strict like every write body: an unknown field is a 400 naming it, not silently dropped.
const loginBody = z
  .object({
    username: z.string().min(1).max(128),
    password: z.string().min(1).max(1024),
  })
  .strict();

/** Login, logout and the current user. */
export function authRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      "/api/auth/login",
      {
        config: { access: "public" },
        schema: {
          tags: ["auth"],
          summary:
            "Log in: sets the session cookie and the readable CSRF cookie (a session cookie still sent ends)",
          body: loginBody,
          response: { 200: z.object({ user: userJson, csrf_token: z.string() }) },
        },
      },
      async (request, reply) => {
        const { user, session } = await signIn(
          deps.db,
          deps.sessions,
          {
            username: request.body.username,
            password: request.body.password,
            clientAddress: request.ip,
            userAgent: request.headers["user-agent"],
            presentedSession: sessionCookieOf(request, deps.cookieSecure),
          },
          originOf(request),
        );
        setSessionCookies(reply, session, deps.cookieSecure);
        return { user: toUserJson(user), csrf_token: session.csrfToken };
      },
    );

    app.post(
      "/api/auth/logout",
      {
        schema: {
          tags: ["auth"],
          summary: "Log out: ends the session and clears the cookies",
          response: { 204: noContent },
        },
      },
      async (request, reply) => {
        await logout(deps.db, principalOf(request), originOf(request));
        clearSessionCookies(reply, deps.cookieSecure);
        return reply.code(204).send(null);
      },
    );

    app.get(
      "/api/auth/me",
      { schema: { tags: ["auth"], summary: "The signed-in user", response: { 200: userJson } } },
      async (request) => toUserJson(await getUser(deps.db, principalOf(request).user.id)),
    );
  };
}
