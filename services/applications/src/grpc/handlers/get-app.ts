import type { applicationsV1 } from "@proximity/proto";
import { getApp as get } from "../../app/get-app.js";
import { metricsForApps } from "../../db/app-metrics.repository.js";
import { GATEWAY_ONLY, requireUser } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { appToProto } from "../to-proto.js";

export function getApp({
  h,
  db,
  metricsStaleAfterMs,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["getApp"] {
  return h.unary<applicationsV1.GetAppRequest, applicationsV1.GetAppResponse>(
    "GetApp",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      const app = await get(db, req.id, requireUser(ctx));
      const metrics = await metricsForApps(db, [app.id], metricsStaleAfterMs);
      return { app: appToProto(app, metrics.get(app.id)) };
    },
  );
}
