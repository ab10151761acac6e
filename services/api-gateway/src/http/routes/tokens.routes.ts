import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { issueApiToken } from "../../app/issue-api-token.js";
import { revokeApiToken } from "../../app/revoke-api-token.js";
import { listApiTokensOfUser } from "../../db/api-token.repository.js";
import type { HttpDeps } from "../deps.js";
import { principalOf, requireUuid } from "../request-helpers.js";
import { idParams, pageOf, pageQuery, paginate } from "../schemas/common.schema.js";
import { createdTokenJson, createTokenBody, tokenJson, toTokenJson } from "../schemas/token.schema.js";

/** The caller's own API tokens. */
export function tokensRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      "/api/auth/tokens",
      {
        schema: {
          tags: ["auth"],
          summary: "Create an API token (the token is shown only in this response)",
          body: createTokenBody,
          response: { 201: createdTokenJson },
        },
      },
      async (request, reply) => {
        const { row, token } = await issueApiToken(deps.db, principalOf(request), {
          name: request.body.name,
          scopes: request.body.scopes,
          expiresAt: request.body.expires_at,
        });
        return reply.code(201).send({ ...toTokenJson(row), token });
      },
    );

    app.get(
      "/api/auth/tokens",
      {
        schema: {
          tags: ["auth"],
          summary: "List your API tokens (without secrets)",
          querystring: pageQuery,
          response: { 200: pageOf(tokenJson) },
        },
      },
      async (request) => {
        const rows = await listApiTokensOfUser(deps.db, principalOf(request).user.id);
        return paginate(rows.map(toTokenJson), request.query.page, request.query.per_page);
      },
    );

    app.delete(
      "/api/auth/tokens/:id",
      { schema: { tags: ["auth"], summary: "Revoke one of your API tokens", params: idParams } },
      async (request, reply) => {
        await revokeApiToken(deps.db, principalOf(request), requireUuid(request.params.id));
        return reply.code(204).send();
      },
    );
  };
}
