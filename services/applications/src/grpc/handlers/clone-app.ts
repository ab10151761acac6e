import type { applicationsV1 } from "@proximity/proto";
import { cloneApp as clone } from "../../app/clone-app.js";
import { GATEWAY_ONLY, requireUser } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { appToProto } from "../to-proto.js";

export function cloneApp(deps: HandlerDeps): applicationsV1.ApplicationsServiceServer["cloneApp"] {
  return deps.h.unary<applicationsV1.CloneAppRequest, applicationsV1.CloneAppResponse>(
    "CloneApp",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      const user = requireUser(ctx);
      const app = await clone(
        deps,
        { appId: req.appId, newHostname: req.newHostname },
        { user, traceparent: ctx.traceparent, log: ctx.log },
      );
      return { app: appToProto(app) };
    },
  );
}
