import type { applicationsV1 } from "@proximity/proto";
import { getAppWithMetrics } from "../../app/get-app.js";
import { requireUser, USER_TRUSTED_CALLERS } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { appToProto } from "../to-proto.js";

export function getApp({
  h,
  db,
  metricsStaleAfterMs,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["getApp"] {
  return h.unary<applicationsV1.GetAppRequest, applicationsV1.GetAppResponse>(
    "GetApp",
    // The backups service asks too, as the user, about an app whose events have not reached it yet.
    { callers: USER_TRUSTED_CALLERS },
    async (req, ctx) => {
      const { app, metrics } = await getAppWithMetrics(db, req.id, requireUser(ctx), metricsStaleAfterMs);
      return { app: appToProto(app, metrics) };
    },
  );
}
