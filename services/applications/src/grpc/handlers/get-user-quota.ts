import type { applicationsV1 } from "@proximity/proto";
import { getUserQuota as get } from "../../app/user-quota.js";
import { GATEWAY_ONLY, requireAdmin } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";

export function getUserQuota({
  h,
  db,
  settings,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["getUserQuota"] {
  return h.unary<applicationsV1.GetUserQuotaRequest, applicationsV1.GetUserQuotaResponse>(
    "GetUserQuota",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      requireAdmin(ctx);
      return { quota: await get(db, req.userId, settings.quotaDefault) };
    },
  );
}
