import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { changeOwnPassword } from "../../app/change-own-password.js";
import type { HttpDeps } from "../deps.js";
import { principalOf } from "../request-helpers.js";
import { originOf } from "../request-origin.js";
import { changePasswordBody, passwordChangedJson } from "../schemas/user.schema.js";

/** Self-service password change, for every user. */
export function passwordRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      "/api/auth/password",
      {
        schema: {
          tags: ["auth"],
          summary:
            "Change your password: this session stays, your other sessions end, your API tokens are revoked",
          description:
            "Signed-in sessions only (API tokens get 403). A wrong `current_password` is 400 at that field; " +
            "after 5 wrong ones in 15 minutes the account's password checks answer 429 until the oldest leaves the window.",
          body: changePasswordBody,
          response: { 200: passwordChangedJson },
        },
      },
      async (request) => {
        const { sessionsEnded, tokensRevoked } = await changeOwnPassword(
          deps.db,
          deps.sessions,
          principalOf(request),
          { currentPassword: request.body.current_password, newPassword: request.body.new_password },
          originOf(request),
        );
        return { sessions_ended: sessionsEnded, tokens_revoked: tokensRevoked };
      },
    );
  };
}
