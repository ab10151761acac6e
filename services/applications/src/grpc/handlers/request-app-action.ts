import type { applicationsV1 } from "@proximity/proto";
import { requestAppAction as request } from "../../app/request-app-action.js";
import { GATEWAY_ONLY, requireUser } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { appToProto } from "../to-proto.js";

export function requestAppAction(
  deps: HandlerDeps,
): applicationsV1.ApplicationsServiceServer["requestAppAction"] {
  return deps.h.unary<applicationsV1.RequestAppActionRequest, applicationsV1.RequestAppActionResponse>(
    "RequestAppAction",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      const user = requireUser(ctx);
      const app = await request(deps, req.appId, req.action, {
        user,
        traceparent: ctx.traceparent,
        log: ctx.log,
      });
      return { app: appToProto(app) };
    },
  );
}
