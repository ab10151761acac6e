import { ValidationError } from "@proximity/errors";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { findUserById } from "../../db/user.repository.js";
import type { HttpDeps } from "../deps.js";
import { callOptions } from "../request-helpers.js";
import { answeredAppJson, appJson } from "../schemas/app.schema.js";
import {
  adoptAppBody,
  discoveredContainerJson,
  discoverQuery,
  toAdoptAppRequest,
  toDiscoveredContainerJson,
} from "../schemas/app-lifecycle.schema.js";

/**
 * Taking existing containers under management (admins only). Both paths are static, so the
 * router matches them before /api/apps/:id whatever the registration order.
 */
export function adoptionRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  const { applications } = deps.clients;
  const admin = { access: "admin" } as const;
  return async (app) => {
    app.get(
      "/api/apps/discover",
      {
        config: admin,
        schema: {
          tags: ["apps"],
          summary: "Containers on a host that Proximity does not manage yet",
          querystring: discoverQuery,
          response: { 200: z.object({ items: z.array(discoveredContainerJson) }) },
        },
      },
      async (request) => {
        const { items } = await applications.discoverContainers(
          { hostId: request.query.host_id.toLowerCase() },
          callOptions(request),
        );
        return { items: items.map(toDiscoveredContainerJson) };
      },
    );

    app.post(
      "/api/apps/adopt",
      {
        config: admin,
        schema: {
          tags: ["apps"],
          summary: "Adopt an existing container as an app (202; owner_id defaults to you)",
          body: adoptAppBody,
          response: { 202: appJson },
        },
      },
      async (request, reply) => {
        const body = request.body;
        // Users live in the gateway: the applications service cannot tell an unknown owner id.
        if (body.owner_id) {
          const owner = await findUserById(deps.db, body.owner_id.toLowerCase());
          if (!owner?.is_active) {
            throw new ValidationError("Invalid request", [
              { field: "owner_id", message: "is not an active user" },
            ]);
          }
        }
        const res = await applications.adoptApp(toAdoptAppRequest(body), callOptions(request));
        return reply.code(202).send(answeredAppJson(res.app));
      },
    );
  };
}
