import type { applicationsV1 } from "@proximity/proto";
import { abandonArchiveOperation as abandon } from "../../app/abandon-archive-operation.js";
import { BACKUPS_ONLY } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";

/**
 * Service-to-service: the backups service gives back a claim it could not record. The operation id
 * (its own, a UUID) is what identifies the claim; no end user is needed to undo it.
 */
export function abandonArchiveOperation({
  h,
  db,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["abandonArchiveOperation"] {
  return h.unary<
    applicationsV1.AbandonArchiveOperationRequest,
    applicationsV1.AbandonArchiveOperationResponse
  >("AbandonArchiveOperation", { callers: BACKUPS_ONLY }, async (req, ctx) => {
    await abandon(db, { operationId: req.operationId, reason: req.reason }, ctx);
    return {};
  });
}
