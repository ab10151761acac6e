import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { HttpDeps } from "../deps.js";
import { callOptions } from "../request-helpers.js";
import {
  catalogItemDetailJson,
  catalogItemJson,
  catalogQuery,
  toCatalogItemJson,
} from "../schemas/catalog.schema.js";
import { pageOf, pageQuery, paginate } from "../schemas/common.schema.js";

/** The app catalog: readable by any signed-in user, reloadable by admins. */
export function catalogRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  const { applications } = deps.clients;
  return async (app) => {
    app.get(
      "/api/catalog",
      {
        schema: {
          tags: ["catalog"],
          summary: "List catalog apps",
          querystring: pageQuery.extend(catalogQuery.shape),
          response: { 200: pageOf(catalogItemJson) },
        },
      },
      async (request) => {
        const { search = "", category = "", page, per_page } = request.query;
        const { items } = await applications.listCatalog({ search, category }, callOptions(request));
        return paginate(items.map(toCatalogItemJson), page, per_page);
      },
    );

    app.get(
      "/api/catalog/categories",
      {
        schema: {
          tags: ["catalog"],
          summary: "List catalog categories",
          response: { 200: z.object({ items: z.array(z.string()) }) },
        },
      },
      async (request) => {
        const { categories } = await applications.listCategories({}, callOptions(request));
        return { items: categories };
      },
    );

    app.get(
      "/api/catalog/:app_id",
      {
        schema: {
          tags: ["catalog"],
          summary: "Get a catalog app with its compose file and environment variables",
          params: z.object({ app_id: z.string().min(1).max(100) }),
          response: { 200: catalogItemDetailJson },
        },
      },
      async (request) => {
        const { item } = await applications.getCatalogItem(
          { id: request.params.app_id },
          callOptions(request),
        );
        if (!item) throw new Error("GetCatalogItem answered without an item");
        return toCatalogItemJson(item);
      },
    );

    app.post(
      "/api/catalog/reload",
      {
        config: { access: "admin" },
        schema: {
          tags: ["catalog"],
          summary: "Reload the catalog files on every replica",
          description:
            "A broken catalog file answers 400 with every problem (`errors[].field` = `<file>: <field>`) and the previous catalog stays in effect.",
          response: { 200: z.object({ count: z.number().int() }) },
        },
      },
      async (request) => applications.reloadCatalog({}, callOptions(request)),
    );
  };
}
