import type { applicationsV1 } from "@proximity/proto";
import { deployApp as deploy } from "../../app/deploy-app.js";
import { GATEWAY_ONLY, requireUser } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { appToProto } from "../to-proto.js";

export function deployApp({
  h,
  db,
  catalog,
  hosts,
  secrets,
  settings,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["deployApp"] {
  return h.unary<applicationsV1.DeployAppRequest, applicationsV1.DeployAppResponse>(
    "DeployApp",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      const owner = requireUser(ctx);
      const app = await deploy(
        { db, catalog, hosts, secrets, settings },
        {
          catalogId: req.catalogId,
          hostname: req.hostname,
          hostId: req.hostId,
          node: req.node,
          environment: req.environment,
          idempotencyKey: req.idempotencyKey,
        },
        { owner, traceparent: ctx.traceparent, log: ctx.log },
      );
      return { app: appToProto(app) };
    },
  );
}
