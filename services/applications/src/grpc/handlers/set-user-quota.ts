import type { applicationsV1 } from "@proximity/proto";
import { setUserQuota as set } from "../../app/user-quota.js";
import { GATEWAY_ONLY, requireAdmin } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";

export function setUserQuota({
  h,
  db,
  settings,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["setUserQuota"] {
  return h.unary<applicationsV1.SetUserQuotaRequest, applicationsV1.SetUserQuotaResponse>(
    "SetUserQuota",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      const admin = requireAdmin(ctx);
      const quota = await set(db, req.userId, req.maxApps, settings.quotaDefault);
      ctx.log.info(
        { adminId: admin.id, userId: req.userId, maxApps: quota.maxApps, isDefault: quota.isDefault },
        "user quota set",
      );
      return { quota };
    },
  );
}
