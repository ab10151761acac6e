import type { backupsV1 } from "@proximity/proto";
import { updateBackupPolicy as update } from "../../app/update-backup-policy.js";
import { callerOf, GATEWAY_ONLY } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { policyToProto } from "../to-proto.js";

export function updateBackupPolicy(deps: HandlerDeps): backupsV1.BackupsServiceServer["updateBackupPolicy"] {
  return deps.h.unary<backupsV1.UpdateBackupPolicyRequest, backupsV1.UpdateBackupPolicyResponse>(
    "UpdateBackupPolicy",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      const policy = await update(
        deps,
        req.appId,
        {
          enabled: req.enabled,
          schedule: req.schedule,
          timeZone: req.timeZone,
          mode: req.mode,
          compression: req.compression,
          keepLast: req.keepLast,
          keepHourly: req.keepHourly,
          keepDaily: req.keepDaily,
          keepWeekly: req.keepWeekly,
          keepMonthly: req.keepMonthly,
          keepYearly: req.keepYearly,
        },
        callerOf(ctx),
      );
      ctx.log.info(
        { appId: req.appId, enabled: policy.enabled, nextRunAt: policy.nextRunAt },
        "backup policy saved",
      );
      return { policy: policyToProto(policy) };
    },
  );
}
