import type { applicationsV1 } from "@proximity/proto";
import { listAppLogs as list } from "../../app/list-app-logs.js";
import { GATEWAY_ONLY, requireUser } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { deploymentLogToProto } from "../to-proto.js";

export function listAppLogs({ h, db }: HandlerDeps): applicationsV1.ApplicationsServiceServer["listAppLogs"] {
  return h.unary<applicationsV1.ListAppLogsRequest, applicationsV1.ListAppLogsResponse>(
    "ListAppLogs",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      // 0 means "not given" in proto3.
      const lines = await list(db, req.appId, requireUser(ctx), req.limit || undefined);
      return { items: lines.map(deploymentLogToProto), status: 0, statusMessage: "" };
    },
  );
}
