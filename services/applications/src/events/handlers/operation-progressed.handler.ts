import { type EventHandler, processOnce } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { ApplicationsDb } from "../../db/database.js";
import { appendLog } from "../../db/deployment-log.repository.js";
import { appForOperation } from "../app-for-operation.js";
import { PROVISIONER_EVENTS_DURABLE } from "../durables.js";

/** A step of the current operation: one deployment log line for the app's owner. */
export function handleOperationProgressed(
  db: ApplicationsDb,
): EventHandler<provisionerEventsV1.OperationProgressed> {
  return async (event, ctx) => {
    await processOnce(db, PROVISIONER_EVENTS_DURABLE, ctx.eventId, async (trx) => {
      const app = await appForOperation(trx, event, ctx.log);
      if (!app) return;
      await appendLog(trx, {
        appId: app.id,
        level: "info",
        step: event.step || "progress",
        message: event.message,
      });
    });
  };
}
