import { type EventHandler, processOnce } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import { adoptLateContainer, currentOperation, settleSuccess } from "../../app/settle-operation.js";
import type { ApplicationsDb } from "../../db/database.js";
import { parseContainerStatus } from "../../domain/operations.js";
import { PROVISIONER_EVENTS_DURABLE } from "../durables.js";
import { concernsNoApp, kindMatches } from "../result-kind.js";
import { logLines } from "./progress-lines.js";

/**
 * The current operation finished: the app settles per the operation's kind (deploying → running,
 * stopping → stopped, removing → gone, a clone's new app → running and its source released, a
 * backup's app where vzdump left it…), with the log line and the public event in the same
 * transaction. An archive deletion's result is not about an app: skipped.
 */
export function handleOperationSucceeded(
  db: ApplicationsDb,
): EventHandler<provisionerEventsV1.OperationSucceeded> {
  return async (event, ctx) => {
    if (concernsNoApp(event.kind)) return;
    await processOnce(db, PROVISIONER_EVENTS_DURABLE, ctx.eventId, async (trx) => {
      const current = await currentOperation(trx, event.operationId, ctx.log);
      const report = {
        hostId: event.hostId,
        node: event.node,
        vmid: event.vmid,
        ipAddress: event.ipAddress,
        containerStatus: parseContainerStatus(event.containerStatus),
        adoptedConfig: current?.op.kind === "adopt" ? { ...event.adopted?.config } : undefined,
        archive: event.archive,
        message: event.message,
      };
      if (!current) return adoptLateContainer(trx, event, report, ctx.log);
      if (!kindMatches(event.kind, current.op, ctx.log)) return;
      const progress = logLines(current.op.id, event.progress, ctx.log);
      const app = await settleSuccess(trx, current, { ...report, progress }, ctx.traceparent);
      ctx.log.info({ appId: app.id, operationId: current.op.id, status: app.status }, "operation succeeded");
    });
  };
}
