import type { applicationsV1 } from "@proximity/proto";
import { reloadCatalog as reload } from "../../app/reload-catalog.js";
import { GATEWAY_ONLY, OPERATOR, requireAdmin } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";

export function reloadCatalog({
  h,
  catalog,
  db,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["reloadCatalog"] {
  return h.unary<applicationsV1.ReloadCatalogRequest, applicationsV1.ReloadCatalogResponse>(
    "ReloadCatalog",
    // Operators reload too (proximityctl catalog reload), as themselves: no end user.
    { callers: [...GATEWAY_ONLY, OPERATOR] },
    async (_req, ctx) => {
      const requestedBy = ctx.caller === OPERATOR ? OPERATOR : requireAdmin(ctx).id;
      const count = await reload(
        { catalog, db },
        { userId: requestedBy, traceparent: ctx.traceparent, log: ctx.log },
      );
      return { count };
    },
  );
}
