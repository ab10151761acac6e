import { type EventHandler, PermanentFailure, processOnce } from "@proximity/bus";
import { isUniqueViolation } from "@proximity/db";
import type { provisionerEventsV1 } from "@proximity/proto";
import { transitionApp } from "../../db/app.repository.js";
import { AppConstraints } from "../../db/apps.table.js";
import type { ApplicationsDb } from "../../db/database.js";
import { appendLog } from "../../db/deployment-log.repository.js";
import { isInFlight, statusAfterSuccess } from "../../domain/app-status.js";
import { succeededMessage } from "../../domain/operation-messages.js";
import { appForOperation } from "../app-for-operation.js";
import { PROVISIONER_EVENTS_DURABLE } from "../durables.js";
import { ConcurrentChangeError } from "./concurrent-change.error.js";

/**
 * The current operation finished: the app leaves its in-flight status (deploying → running) and
 * records where its container lives. Fields the event leaves empty keep their stored values.
 */
export function handleOperationSucceeded(
  db: ApplicationsDb,
): EventHandler<provisionerEventsV1.OperationSucceeded> {
  return async (event, ctx) => {
    await processOnce(db, PROVISIONER_EVENTS_DURABLE, ctx.eventId, async (trx) => {
      const app = await appForOperation(trx, event, ctx.log);
      if (!app) return;
      if (!isInFlight(app.status)) {
        ctx.log.info({ appId: app.id, status: app.status }, "app already settled; success ignored");
        return;
      }
      const container = {
        vmid: event.vmid || app.vmid,
        node: event.node || app.node,
        ipAddress: event.ipAddress || app.ip_address,
      };
      const hostId = event.hostId || app.host_id;
      const settled = await transitionApp(trx, app, statusAfterSuccess(app.status), {
        status_message: "",
        vmid: container.vmid,
        node: container.node,
        host_id: hostId,
        ip_address: container.ipAddress,
      }).catch((err: unknown) => {
        // Two live apps claiming one container is a provisioner bug no retry can fix: dead-letter it.
        if (!isUniqueViolation(err, AppConstraints.liveHostVmid)) throw err;
        throw new PermanentFailure(
          `vmid ${container.vmid} on host ${hostId} already belongs to another app`,
          {
            cause: err,
          },
        );
      });
      if (!settled) throw new ConcurrentChangeError(app.id);
      await appendLog(trx, {
        appId: app.id,
        level: "info",
        step: "succeeded",
        message: succeededMessage(app.status, container),
      });
    });
  };
}
