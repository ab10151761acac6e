import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { issueApiToken } from "../../app/issue-api-token.js";
import { revokeApiToken } from "../../app/revoke-api-token.js";
import { listApiTokensOfUser } from "../../db/api-token.repository.js";
import type { HttpDeps } from "../deps.js";
import { principalOf, requireUuid } from "../request-helpers.js";
import { originOf } from "../request-origin.js";
import { errorBody, idParams, noContent, pageOf } from "../schemas/common.schema.js";
import {
  createdTokenJson,
  createTokenBody,
  tokenJson,
  tokensQuery,
  toTokenJson,
} from "../schemas/token.schema.js";

/** The caller's own API tokens. */
export function tokensRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  const policy = deps.tokenPolicy;
  return async (app) => {
    app.post(
      "/api/auth/tokens",
      {
        schema: {
          tags: ["auth"],
          summary: "Create an API token (the token is shown only in this response)",
          description:
            `Without \`expires_at\` the token lives ${policy.defaultDays} days; at most ${policy.maxDays} days. ` +
            "A token created with a token gets no scope and no life beyond that token's, and is revoked with it. " +
            `At most ${policy.maxLivePerUser} live tokens per user (409 beyond).`,
          body: createTokenBody,
          response: {
            201: createdTokenJson,
            409: errorBody.describe("The live token limit is reached: revoke one first"),
          },
        },
      },
      async (request, reply) => {
        const { row, token } = await issueApiToken(
          deps.db,
          principalOf(request),
          { name: request.body.name, scopes: request.body.scopes, expiresAt: request.body.expires_at },
          policy,
          originOf(request),
        );
        return reply.code(201).send({ ...toTokenJson(row), token });
      },
    );

    app.get(
      "/api/auth/tokens",
      {
        schema: {
          tags: ["auth"],
          summary: "List your API tokens (without secrets): live ones, or all with ?state=all",
          querystring: tokensQuery,
          response: { 200: pageOf(tokenJson) },
        },
      },
      async (request) => {
        const { page, per_page, state } = request.query;
        const { rows, total } = await listApiTokensOfUser(deps.db, principalOf(request).user.id, {
          liveOnly: state === "live",
          limit: per_page,
          offset: (page - 1) * per_page,
        });
        return { items: rows.map(toTokenJson), total, page, per_page };
      },
    );

    app.delete(
      "/api/auth/tokens/:id",
      {
        schema: {
          tags: ["auth"],
          summary: "Revoke one of your API tokens, and the tokens created with it",
          params: idParams,
          response: { 204: noContent },
        },
      },
      async (request, reply) => {
        await revokeApiToken(
          deps.db,
          principalOf(request),
          requireUuid(request.params.id),
          originOf(request),
        );
        return reply.code(204).send(null);
      },
    );
  };
}
