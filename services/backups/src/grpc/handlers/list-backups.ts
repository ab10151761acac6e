import type { backupsV1 } from "@proximity/proto";
import { listBackups as list } from "../../app/list-backups.js";
import { GATEWAY_ONLY, requireUser } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { backupToProto } from "../to-proto.js";

export function listBackups({ h, db }: HandlerDeps): backupsV1.BackupsServiceServer["listBackups"] {
  return h.unary<backupsV1.ListBackupsRequest, backupsV1.ListBackupsResponse>(
    "ListBackups",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      // proto3 scalars cannot be absent: 0 and "" mean "not given".
      const page = await list(db, requireUser(ctx), {
        appId: req.appId || undefined,
        status: req.status || undefined,
        ...(req.appDeleted !== undefined ? { appDeleted: req.appDeleted } : {}),
        page: req.page || undefined,
        perPage: req.perPage || undefined,
      });
      return {
        items: page.items.map((b) => backupToProto(b)),
        total: page.total,
        page: page.page,
        perPage: page.perPage,
      };
    },
  );
}
