import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { endMyOtherSessions, endMySession } from "../../app/manage-sessions.js";
import { requireSession } from "../../app/principal.js";
import { clearSessionCookies } from "../cookies.js";
import type { HttpDeps } from "../deps.js";
import { principalOf, requireUuid } from "../request-helpers.js";
import { originOf } from "../request-origin.js";
import { idParams, noContent, pageOf, pageQuery } from "../schemas/common.schema.js";
import { endedSessionsJson, sessionJson, toSessionJson } from "../schemas/session.schema.js";

const SESSION_ONLY = "Signed-in sessions only: API tokens get 403.";

/** The caller's own login sessions: list them, end one, end all the others. */
export function sessionsRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/auth/sessions",
      {
        schema: {
          tags: ["auth"],
          summary: "List your live sessions (never their secrets); `current` marks this one",
          description: SESSION_ONLY,
          querystring: pageQuery,
          response: { 200: pageOf(sessionJson) },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const current = requireSession(principal);
        const { page, per_page } = request.query;
        const { rows, total } = await deps.sessions.listOfUser(principal.user.id, {
          limit: per_page,
          offset: (page - 1) * per_page,
        });
        return { items: rows.map((row) => toSessionJson(row, current.id)), total, page, per_page };
      },
    );

    app.delete(
      "/api/auth/sessions/:id",
      {
        schema: {
          tags: ["auth"],
          summary: "End one of your sessions (this one too: that logs you out)",
          description: `${SESSION_ONLY} Another user's session is 404.`,
          params: idParams,
          response: { 204: noContent },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        requireSession(principal); // tokens are refused whatever the id
        const id = requireUuid(request.params.id);
        const { current } = await endMySession(deps.db, deps.sessions, principal, id, originOf(request));
        if (current) clearSessionCookies(reply, deps.cookieSecure);
        return reply.code(204).send(null);
      },
    );

    app.delete(
      "/api/auth/sessions",
      {
        schema: {
          tags: ["auth"],
          summary: "End all your sessions but this one",
          description: SESSION_ONLY,
          response: { 200: endedSessionsJson },
        },
      },
      async (request) => ({
        ended: await endMyOtherSessions(deps.db, deps.sessions, principalOf(request), originOf(request)),
      }),
    );
  };
}
