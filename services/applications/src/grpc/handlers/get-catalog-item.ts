import { NotFoundError } from "@proximity/errors";
import type { applicationsV1 } from "@proximity/proto";
import { GATEWAY_ONLY } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { catalogItemToProto } from "../to-proto.js";

export function getCatalogItem({
  h,
  catalog,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["getCatalogItem"] {
  return h.unary<applicationsV1.GetCatalogItemRequest, applicationsV1.GetCatalogItemResponse>(
    "GetCatalogItem",
    { callers: GATEWAY_ONLY },
    async (req) => {
      const item = catalog.get(req.id);
      if (!item) throw new NotFoundError("Catalog item not found");
      return { item: catalogItemToProto(item) };
    },
  );
}
