import type { applicationsV1 } from "@proximity/proto";
import { listApps as list } from "../../app/list-apps.js";
import { GATEWAY_ONLY, requireUser } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { appToProto } from "../to-proto.js";

export function listApps({
  h,
  db,
  metricsStaleAfterMs,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["listApps"] {
  return h.unary<applicationsV1.ListAppsRequest, applicationsV1.ListAppsResponse>(
    "ListApps",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      // proto3 scalars cannot be absent: 0 and "" mean "not given".
      const page = await list(
        db,
        requireUser(ctx),
        {
          status: req.status || undefined,
          search: req.search || undefined,
          page: req.page || undefined,
          perPage: req.perPage || undefined,
          cursor: req.cursor || undefined,
        },
        metricsStaleAfterMs,
      );
      const items = page.items.map(({ app, metrics }) => appToProto(app, metrics));
      return {
        items,
        total: page.total,
        page: page.page,
        perPage: page.perPage,
        nextCursor: page.nextCursor ?? "",
      };
    },
  );
}
