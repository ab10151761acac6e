import { PermissionDeniedError } from "@proximity/errors";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { HttpDeps } from "../deps.js";
import { callOptions, principalOf, requireUuid } from "../request-helpers.js";
import {
  answeredAppJson,
  appJson,
  appLogJson,
  deployAppBody,
  deployAppHeaders,
  listAppsQuery,
  logsQuery,
  toAppJson,
  toAppLogJson,
} from "../schemas/app.schema.js";
import { idParams, pageOf } from "../schemas/common.schema.js";

/** Deploying, listing and reading apps; the applications service enforces ownership (others' apps are 404). */
export function appsRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  const { applications } = deps.clients;
  return async (app) => {
    app.get(
      "/api/apps",
      {
        schema: {
          tags: ["apps"],
          summary: "List your apps (all apps for admins)",
          description:
            "Newest first. Page with `page`/`per_page`, or with `cursor`: pass the `next_cursor` of the " +
            "previous page (null on the last page) to read the next one; cursor pages neither skip nor " +
            "repeat an app when apps are added or removed meanwhile. `total` counts every matching app " +
            "(see docs/api-pagination.md).",
          querystring: listAppsQuery,
          response: { 200: pageOf(appJson).extend({ next_cursor: z.string().nullable() }) },
        },
        // The hottest route: the handler builds every field itself (toAppJson), so re-checking 50
        // apps against the schema on the way out only cost CPU (~0.5 ms a page, profiled). The
        // schema above still documents the answer.
        serializerCompiler: () => (data) => JSON.stringify(data),
      },
      async (request) => {
        const { status = "", search = "", page, per_page, cursor = "" } = request.query;
        const res = await applications.listApps(
          { status, search, page, perPage: per_page, cursor },
          callOptions(request),
        );
        return {
          items: res.items.map(toAppJson),
          total: res.total,
          page,
          per_page,
          next_cursor: res.nextCursor || null,
        };
      },
    );

    app.post(
      "/api/apps",
      {
        schema: {
          tags: ["apps"],
          summary: "Deploy an app from the catalog (202: progress is in the logs)",
          description:
            "host_id and node (explicit placement) are for admins only. `config` is not supported yet.",
          headers: deployAppHeaders,
          body: deployAppBody,
          response: { 202: appJson },
        },
      },
      async (request, reply) => {
        const body = request.body;
        if ((body.host_id || body.node) && !principalOf(request).isAdmin) {
          throw new PermissionDeniedError("Only admins may choose the host or node");
        }
        const res = await applications.deployApp(
          {
            catalogId: body.catalog_id,
            hostname: body.hostname,
            hostId: body.host_id ?? "",
            node: body.node ?? "",
            environment: body.environment ?? {},
            idempotencyKey: request.headers["idempotency-key"] ?? "",
          },
          callOptions(request),
        );
        return reply.code(202).send(answeredAppJson(res.app));
      },
    );

    app.get(
      "/api/apps/:id",
      { schema: { tags: ["apps"], summary: "Get an app", params: idParams, response: { 200: appJson } } },
      async (request) => {
        const res = await applications.getApp({ id: requireUuid(request.params.id) }, callOptions(request));
        return answeredAppJson(res.app);
      },
    );

    app.get(
      "/api/apps/:id/logs",
      {
        schema: {
          tags: ["apps"],
          summary: "Deployment and operation logs of an app, oldest first within a page",
          description:
            "Without a cursor: the first `limit` lines from the start. `after_id`: lines after that id " +
            "(read on with `next_after_id`, present when the page is full, so more may follow). " +
            "`before_id`: the newest `limit` lines before that id (page back with the first item's id).",
          params: idParams,
          querystring: logsQuery,
          response: {
            200: z.object({ items: z.array(appLogJson), next_after_id: z.number().int().optional() }),
          },
        },
      },
      async (request) => {
        const appId = requireUuid(request.params.id);
        const { limit, after_id = 0, before_id = 0 } = request.query;
        const res = await applications.listAppLogs(
          { appId, limit, afterId: after_id, beforeId: before_id },
          callOptions(request),
        );
        const items = res.items.map(toAppLogJson);
        const last = items.at(-1);
        // Paging back (before_id alone) continues from the first item instead.
        const forward = before_id === 0 || after_id !== 0;
        return forward && last && items.length >= limit ? { items, next_after_id: last.id } : { items };
      },
    );
  };
}
