import type { applicationsV1 } from "@proximity/proto";
import { adoptApp as adopt } from "../../app/adopt-app.js";
import { GATEWAY_ONLY, requireAdmin } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { appToProto } from "../to-proto.js";

export function adoptApp(deps: HandlerDeps): applicationsV1.ApplicationsServiceServer["adoptApp"] {
  return deps.h.unary<applicationsV1.AdoptAppRequest, applicationsV1.AdoptAppResponse>(
    "AdoptApp",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      const user = requireAdmin(ctx);
      const app = await adopt(
        deps,
        {
          hostId: req.hostId,
          node: req.node,
          vmid: req.vmid,
          catalogId: req.catalogId,
          hostname: req.hostname,
          ownerId: req.ownerId,
          port: req.port,
        },
        { user, traceparent: ctx.traceparent, log: ctx.log },
      );
      return { app: appToProto(app) };
    },
  );
}
