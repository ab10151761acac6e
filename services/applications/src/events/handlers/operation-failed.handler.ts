import { type EventHandler, processOnce } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import { transitionApp } from "../../db/app.repository.js";
import type { ApplicationsDb } from "../../db/database.js";
import { appendLog } from "../../db/deployment-log.repository.js";
import { isInFlight } from "../../domain/app-status.js";
import { failedMessage } from "../../domain/operation-messages.js";
import { appForOperation } from "../app-for-operation.js";
import { PROVISIONER_EVENTS_DURABLE } from "../durables.js";
import { ConcurrentChangeError } from "./concurrent-change.error.js";

/**
 * The current operation gave up: the app goes to `error` with the provisioner's (user-safe)
 * reason as status message, and the log says why, so the owner can retry or remove it.
 */
export function handleOperationFailed(db: ApplicationsDb): EventHandler<provisionerEventsV1.OperationFailed> {
  return async (event, ctx) => {
    await processOnce(db, PROVISIONER_EVENTS_DURABLE, ctx.eventId, async (trx) => {
      const app = await appForOperation(trx, event, ctx.log);
      if (!app) return;
      if (!isInFlight(app.status)) {
        ctx.log.info({ appId: app.id, status: app.status }, "app already settled; failure ignored");
        return;
      }
      const message = failedMessage(app.status, event.attempts, event.reason);
      const settled = await transitionApp(trx, app, "error", { status_message: event.reason || message });
      if (!settled) throw new ConcurrentChangeError(app.id);
      await appendLog(trx, { appId: app.id, level: "error", step: "failed", message });
    });
  };
}
