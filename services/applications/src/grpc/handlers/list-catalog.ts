import type { applicationsV1 } from "@proximity/proto";
import { GATEWAY_ONLY } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { catalogItemToProto } from "../to-proto.js";

export function listCatalog({
  h,
  catalog,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["listCatalog"] {
  return h.unary<applicationsV1.ListCatalogRequest, applicationsV1.ListCatalogResponse>(
    "ListCatalog",
    { callers: GATEWAY_ONLY },
    async (req) => ({
      items: catalog.list({ search: req.search, category: req.category }).map(catalogItemToProto),
    }),
  );
}
