import type { backupsV1 } from "@proximity/proto";
import { restoreBackup as restore } from "../../app/restore-backup.js";
import { callerOf, GATEWAY_ONLY } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { backupToProto } from "../to-proto.js";

export function restoreBackup(deps: HandlerDeps): backupsV1.BackupsServiceServer["restoreBackup"] {
  return deps.h.unary<backupsV1.RestoreBackupRequest, backupsV1.RestoreBackupResponse>(
    "RestoreBackup",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      const outcome = await restore(
        deps,
        { appId: req.appId, backupId: req.backupId, newHostname: req.newHostname },
        callerOf(ctx),
      );
      return {
        backup: backupToProto(outcome.backup),
        targetAppId: outcome.targetAppId,
        operationId: outcome.operationId,
        newApp: outcome.newApp,
      };
    },
  );
}
