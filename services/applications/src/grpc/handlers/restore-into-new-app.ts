import type { applicationsV1 } from "@proximity/proto";
import { restoreIntoNewApp as restore } from "../../app/restore-into-new-app.js";
import { findOperation } from "../../db/operation.repository.js";
import { BACKUPS_ONLY, requireUser } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";
import { appToProto } from "../to-proto.js";

/** Service-to-service: the backups service makes the new app a backup is restored into, as the user. */
export function restoreIntoNewApp(
  deps: HandlerDeps,
): applicationsV1.ApplicationsServiceServer["restoreIntoNewApp"] {
  return deps.h.unary<applicationsV1.RestoreIntoNewAppRequest, applicationsV1.RestoreIntoNewAppResponse>(
    "RestoreIntoNewApp",
    { callers: BACKUPS_ONLY },
    async (req, ctx) => {
      const user = requireUser(ctx);
      const app = await restore(
        deps,
        {
          sourceAppId: req.sourceAppId,
          newHostname: req.newHostname,
          operationId: req.operationId,
          backupId: req.backupId,
          hostId: req.hostId,
          node: req.node,
        },
        { user, traceparent: ctx.traceparent, log: ctx.log },
      );
      // The deadline goes into the provisioner's request: work delivered after it must not start.
      const deadline = (await findOperation(deps.db, req.operationId))?.deadline_at;
      return { app: appToProto(app), deadline };
    },
  );
}
