import { PermissionDeniedError } from "@proximity/errors";
import type { HandlerFactory } from "@proximity/grpc";
import type { backupsV1 } from "@proximity/proto";
import type { Kysely } from "kysely";
import { getBackupPolicy } from "../../app/get-backup-policy.js";
import type { BackupsDatabase } from "../../db/database.js";

export function getBackupPolicyHandler(h: HandlerFactory, db: Kysely<BackupsDatabase>) {
  return h.unary<backupsV1.GetBackupPolicyRequest, backupsV1.GetBackupPolicyResponse>(
    "GetBackupPolicy",
    { callers: ["api-gateway"] },
    async (req, ctx) => {
      // Always on behalf of a user; the gateway has checked the app, and so does the use-case.
      if (!ctx.user) throw new PermissionDeniedError("An end user is required");
      return { policy: await getBackupPolicy(db, req.appId, ctx.user) };
    },
  );
}
