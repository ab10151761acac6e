import type { applicationsV1 } from "@proximity/proto";
import { reloadCatalog as reload } from "../../app/reload-catalog.js";
import { GATEWAY_ONLY, requireAdmin } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";

export function reloadCatalog({
  h,
  catalog,
  db,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["reloadCatalog"] {
  return h.unary<applicationsV1.ReloadCatalogRequest, applicationsV1.ReloadCatalogResponse>(
    "ReloadCatalog",
    { callers: GATEWAY_ONLY },
    async (_req, ctx) => {
      const admin = requireAdmin(ctx);
      const count = await reload(
        { catalog, db },
        { userId: admin.id, traceparent: ctx.traceparent, log: ctx.log },
      );
      return { count };
    },
  );
}
