import type { applicationsV1 } from "@proximity/proto";
import { listAppLogs as list } from "../../app/list-app-logs.js";
import { GATEWAY_ONLY, requireUser } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { deploymentLogToProto, statusToProto } from "../to-proto.js";

export function listAppLogs({ h, db }: HandlerDeps): applicationsV1.ApplicationsServiceServer["listAppLogs"] {
  return h.unary<applicationsV1.ListAppLogsRequest, applicationsV1.ListAppLogsResponse>(
    "ListAppLogs",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      // 0 means "not given" in proto3.
      const { app, lines } = await list(db, req.appId, requireUser(ctx), {
        limit: req.limit || undefined,
        afterId: Number(req.afterId) || undefined,
        beforeId: Number(req.beforeId) || undefined,
      });
      return {
        items: lines.map(deploymentLogToProto),
        status: statusToProto(app.status),
        statusMessage: app.status_message,
      };
    },
  );
}
