import { Events } from "@proximity/bus";
import { ValidationError } from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import type { ApplicationsDb } from "../db/database.js";
import { lockOperationWithApp } from "../db/operation.repository.js";
import { releasePort } from "../db/port.repository.js";
import { releaseAppSlot } from "../db/quota.repository.js";
import { abandonReason } from "../domain/archive-input.js";
import { operationName } from "../domain/operation-messages.js";
import { isArchiveKind, statusAfterAbandon } from "../domain/operations.js";
import { isUuid } from "../domain/uuid.js";
import { appEvent, appRef } from "./app-events.js";
import { settlingOf } from "./operation-options.js";
import { settleAndRecord } from "./settle-operation.js";

export interface AbandonArchiveCommand {
  readonly operationId: string;
  /** Safe words for the app's log ("" → a generic reason). */
  readonly reason: string;
}

/**
 * Gives back a claim taken by BeginArchiveOperation or RestoreIntoNewApp that the provisioner never
 * heard of (the backups service could not record its side): the operation fails with the reason,
 * the app goes back to where it was (a backup's app keeps its status; a restored-onto app its
 * status before), and a new app made for a restore is `gone` with its port and quota slot freed.
 * Anything else (unknown, finished, not current, not an archive operation) is left alone, so a
 * repeated call does nothing.
 * @returns whether a claim was given back.
 */
export async function abandonArchiveOperation(
  db: ApplicationsDb,
  command: AbandonArchiveCommand,
  ctx: { readonly traceparent: string; readonly log: Logger },
): Promise<boolean> {
  if (!isUuid(command.operationId)) {
    throw new ValidationError("Invalid request", [{ field: "operation_id", message: "must be a UUID" }]);
  }
  const abandoned = await db.transaction().execute(async (trx) => {
    // The operation locked and its app read in one statement, as a result's settlement does.
    const locked = await lockOperationWithApp(trx, command.operationId);
    if (!locked) return undefined;
    const { op, app } = locked;
    if (op.status !== "running" || !isArchiveKind(op.kind)) return undefined;
    if (!app || app.current_operation_id !== op.id) return undefined;
    const to = statusAfterAbandon(settlingOf(op, app));
    const message = `${operationName(op.kind)} did not start: ${abandonReason(command.reason)}`;
    if (to === "gone") {
      await releasePort(trx, app.id);
      await releaseAppSlot(trx, app.owner_id);
    }
    await settleAndRecord(
      trx,
      app,
      op.id,
      to,
      {
        ...(to === "error" || to === "gone" ? { status_message: message } : {}),
        ...(to === "gone" ? { public_port: null } : {}),
      },
      { status: "failed", reason: message },
      {
        log: [{ level: "warn", step: "abandoned", message }],
        // A new app nobody outside this service heard of goes quietly; an existing app's observers
        // saw it busy and learn that the operation ended.
        event:
          to === "gone"
            ? undefined
            : (after) =>
                appEvent(
                  Events.AppOperationFailed,
                  { app: appRef(after), operationId: op.id, operation: op.kind, reason: message, status: to },
                  after,
                  ctx.traceparent,
                ),
      },
    );
    return { appId: app.id, kind: op.kind, status: to };
  });
  if (abandoned) {
    ctx.log.warn({ ...abandoned, operationId: command.operationId }, "archive operation abandoned");
  }
  return abandoned !== undefined;
}
