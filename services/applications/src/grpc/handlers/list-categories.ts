import type { applicationsV1 } from "@proximity/proto";
import { GATEWAY_ONLY } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";

export function listCategories({
  h,
  catalog,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["listCategories"] {
  return h.unary<applicationsV1.ListCategoriesRequest, applicationsV1.ListCategoriesResponse>(
    "ListCategories",
    { callers: GATEWAY_ONLY },
    async () => ({ categories: catalog.categories() }),
  );
}
