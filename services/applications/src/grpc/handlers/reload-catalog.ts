import type { applicationsV1 } from "@proximity/proto";
import { reloadCatalog as reload } from "../../app/reload-catalog.js";
import { GATEWAY_ONLY, requireAdmin } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";

export function reloadCatalog({
  h,
  catalog,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["reloadCatalog"] {
  return h.unary<applicationsV1.ReloadCatalogRequest, applicationsV1.ReloadCatalogResponse>(
    "ReloadCatalog",
    { callers: GATEWAY_ONLY },
    async (_req, ctx) => {
      requireAdmin(ctx);
      return { count: await reload(catalog, ctx.log) };
    },
  );
}
