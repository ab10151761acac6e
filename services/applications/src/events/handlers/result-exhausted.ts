import { type MessageContext, PermanentFailure } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import { currentOperation, settleFailure } from "../../app/settle-operation.js";
import type { ApplicationsDb } from "../../db/database.js";
import { operationName } from "../../domain/operation-messages.js";
import { concernsNoApp } from "../result-kind.js";

/**
 * A provisioner result that could not be applied after every delivery: the failure is recorded on
 * the app (error, with why) so it does not stay in flight; if even that fails the consumer leaves
 * the message for redelivery and the reaper fails the operation at its deadline.
 */
export function recordUnappliedResult(db: ApplicationsDb) {
  return async (
    event: { operationId: string; kind: provisionerEventsV1.OperationKind },
    ctx: MessageContext,
    error: unknown,
  ): Promise<void> => {
    if (concernsNoApp(event.kind)) return;
    await db.transaction().execute(async (trx) => {
      const current = await currentOperation(trx, event.operationId, ctx.log);
      if (!current) return;
      const reason =
        error instanceof PermanentFailure
          ? error.message
          : `The result of the ${operationName(current.op.kind).toLowerCase()} could not be recorded; check the app's container`;
      await settleFailure(trx, current, { reason, attempts: 0, containerStatus: "" }, ctx.traceparent);
      ctx.log.error(
        { appId: current.app.id, operationId: current.op.id },
        "unapplied provisioner result recorded as a failure",
      );
    });
  };
}
