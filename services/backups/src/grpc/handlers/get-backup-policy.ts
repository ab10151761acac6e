import type { backupsV1 } from "@proximity/proto";
import { getBackupPolicy as get } from "../../app/get-backup-policy.js";
import { callerOf, GATEWAY_ONLY } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { policyToProto } from "../to-proto.js";

export function getBackupPolicy(deps: HandlerDeps): backupsV1.BackupsServiceServer["getBackupPolicy"] {
  return deps.h.unary<backupsV1.GetBackupPolicyRequest, backupsV1.GetBackupPolicyResponse>(
    "GetBackupPolicy",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => ({ policy: policyToProto(await get(deps, req.appId, callerOf(ctx))) }),
  );
}
