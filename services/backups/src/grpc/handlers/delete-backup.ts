import type { backupsV1 } from "@proximity/proto";
import { deleteBackup as remove } from "../../app/delete-backup.js";
import { callerOf, GATEWAY_ONLY } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { backupToProto } from "../to-proto.js";

export function deleteBackup(deps: HandlerDeps): backupsV1.BackupsServiceServer["deleteBackup"] {
  return deps.h.unary<backupsV1.DeleteBackupRequest, backupsV1.DeleteBackupResponse>(
    "DeleteBackup",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      const { backup, deleted } = await remove(
        deps,
        { appId: req.appId, backupId: req.backupId },
        callerOf(ctx),
      );
      // A record without an archive is gone at once: the answer says "deleted".
      return { backup: backupToProto(backup, deleted ? "deleted" : backup.status) };
    },
  );
}
