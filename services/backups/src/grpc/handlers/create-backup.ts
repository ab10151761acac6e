import type { backupsV1 } from "@proximity/proto";
import { createBackup as create } from "../../app/create-backup.js";
import { callerOf, GATEWAY_ONLY } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { backupToProto } from "../to-proto.js";

export function createBackup(deps: HandlerDeps): backupsV1.BackupsServiceServer["createBackup"] {
  return deps.h.unary<backupsV1.CreateBackupRequest, backupsV1.CreateBackupResponse>(
    "CreateBackup",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      const backup = await create(
        deps,
        { appId: req.appId, mode: req.mode, compression: req.compression, storage: req.storage },
        callerOf(ctx),
      );
      return { backup: backupToProto(backup) };
    },
  );
}
