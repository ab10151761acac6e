import type { applicationsV1 } from "@proximity/proto";
import { deleteApp as remove } from "../../app/delete-app.js";
import { GATEWAY_ONLY, requireUser } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { appToProto } from "../to-proto.js";

export function deleteApp(deps: HandlerDeps): applicationsV1.ApplicationsServiceServer["deleteApp"] {
  return deps.h.unary<applicationsV1.DeleteAppRequest, applicationsV1.DeleteAppResponse>(
    "DeleteApp",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      const user = requireUser(ctx);
      const app = await remove(
        deps,
        { appId: req.appId, destroyContainer: req.destroyContainer, deleteBackups: req.deleteBackups },
        { user, traceparent: ctx.traceparent, log: ctx.log },
      );
      return { app: appToProto(app) };
    },
  );
}
