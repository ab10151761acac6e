import type { applicationsV1 } from "@proximity/proto";
import { beginArchiveOperation as begin } from "../../app/begin-archive-operation.js";
import { findOperation } from "../../db/operation.repository.js";
import { BACKUPS_ONLY, requireUser } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { appToProto, statusToProto } from "../to-proto.js";

/** Service-to-service: the backups service claims an app for a backup or a restore, as the user. */
export function beginArchiveOperation(
  deps: HandlerDeps,
): applicationsV1.ApplicationsServiceServer["beginArchiveOperation"] {
  return deps.h.unary<
    applicationsV1.BeginArchiveOperationRequest,
    applicationsV1.BeginArchiveOperationResponse
  >("BeginArchiveOperation", { callers: BACKUPS_ONLY }, async (req, ctx) => {
    const user = requireUser(ctx);
    const claim = await begin(
      deps,
      { appId: req.appId, kind: req.kind, operationId: req.operationId, backupId: req.backupId },
      { user, traceparent: ctx.traceparent, log: ctx.log },
    );
    // The deadline goes into the provisioner's request: work delivered after it must not start.
    const deadline = (await findOperation(deps.db, req.operationId))?.deadline_at;
    return { app: appToProto(claim.app), statusBefore: statusToProto(claim.statusBefore), deadline };
  });
}
