import type { backupsV1 } from "@proximity/proto";
import { getBackup as get } from "../../app/get-backup.js";
import { GATEWAY_ONLY, requireUser } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { backupToProto } from "../to-proto.js";

export function getBackup({ h, db }: HandlerDeps): backupsV1.BackupsServiceServer["getBackup"] {
  return h.unary<backupsV1.GetBackupRequest, backupsV1.GetBackupResponse>(
    "GetBackup",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      const backup = await get(db, { appId: req.appId, backupId: req.backupId }, requireUser(ctx));
      return { backup: backupToProto(backup) };
    },
  );
}
