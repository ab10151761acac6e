import { type EventHandler, processOnce } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import { currentOperation, settleFailure } from "../../app/settle-operation.js";
import type { ApplicationsDb } from "../../db/database.js";
import { parseContainerStatus } from "../../domain/operations.js";
import { PROVISIONER_EVENTS_DURABLE } from "../durables.js";
import { concernsNoApp, kindMatches } from "../result-kind.js";
import { logLines } from "./progress-lines.js";

/**
 * The current operation gave up: the app settles where the provisioner says the container was left
 * (an update rolled back → running) or in `error`, with the provisioner's (user-safe) reason as
 * status message and in the log, so the owner knows what to do next. An archive deletion's result
 * is not about an app: skipped.
 */
export function handleOperationFailed(db: ApplicationsDb): EventHandler<provisionerEventsV1.OperationFailed> {
  return async (event, ctx) => {
    if (concernsNoApp(event.kind)) return;
    await processOnce(db, PROVISIONER_EVENTS_DURABLE, ctx.eventId, async (trx) => {
      const current = await currentOperation(trx, event.operationId, ctx.log);
      if (!current || !kindMatches(event.kind, current.op, ctx.log)) return;
      const app = await settleFailure(
        trx,
        current,
        {
          reason: event.reason,
          attempts: event.attempts,
          containerStatus: parseContainerStatus(event.containerStatus),
          progress: logLines(current.op.id, event.progress, ctx.log),
        },
        ctx.traceparent,
      );
      ctx.log.info({ appId: app.id, operationId: current.op.id, status: app.status }, "operation failed");
    });
  };
}
