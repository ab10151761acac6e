import type { applicationsV1 } from "@proximity/proto";
import { getApp as get } from "../../app/get-app.js";
import { GATEWAY_ONLY, requireUser } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { appToProto } from "../to-proto.js";

export function getApp({ h, db }: HandlerDeps): applicationsV1.ApplicationsServiceServer["getApp"] {
  return h.unary<applicationsV1.GetAppRequest, applicationsV1.GetAppResponse>(
    "GetApp",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => ({ app: appToProto(await get(db, req.id, requireUser(ctx))) }),
  );
}
