import { Events } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import { applicationsEventsV1 } from "@proximity/proto";
import { type Kysely, sql } from "kysely";
import { findAppById } from "../db/app.repository.js";
import type { AppOperationRow } from "../db/app-operations.table.js";
import type { ApplicationsDatabase, ApplicationsDb } from "../db/database.js";
import { postponeDeadline, timeOutExpiredOperation } from "../db/operation.repository.js";
import { timedOutMessage } from "../domain/operation-messages.js";
import { appRef, emit } from "./app-events.js";
import type { LifeCycleSettings } from "./life-cycle-settings.js";
import { settleFailure } from "./settle-operation.js";

/** Operations failed per pass at most (each in its own transaction); the rest wait for the next. */
const BATCH = 50;

/**
 * Fails every running operation past its deadline, once, even with several replicas reaping at
 * the same time (each operation is claimed FOR UPDATE SKIP LOCKED in the transaction that settles
 * its app). The app settles in `error` with an explanation and needs attention: nobody knows what
 * the provisioner did. A result arriving later finds the operation finished and is ignored.
 *
 * One transaction per operation: an operation whose settlement fails is rolled back alone, logged,
 * and its deadline moved `retryAfterMs` on (tried again then, behind the operations due meanwhile,
 * so failing ones never hold the others back), while the others of this pass are failed.
 * @returns how many operations were failed.
 */
export async function reapExpiredOperations(
  db: ApplicationsDb,
  settings: LifeCycleSettings,
  log: Logger,
  retryAfterMs: number,
): Promise<number> {
  const failing: string[] = [];
  let reaped = 0;
  while (reaped < BATCH && failing.length < BATCH) {
    let claimed: AppOperationRow | undefined;
    try {
      const found = await db.transaction().execute(async (trx) => {
        claimed = await timeOutExpiredOperation(trx, failing);
        if (claimed) await failTimedOut(trx, claimed, settings, log);
        return claimed !== undefined;
      });
      if (!found) break;
      reaped++;
    } catch (err) {
      // Nothing claimed: the database failed, not an operation; the pass ends.
      if (!claimed) {
        if (reaped > 0) log.info({ failed: reaped }, "expired operations failed before the pass broke off");
        throw err;
      }
      failing.push(claimed.id);
      // The message only: a constraint's detail may quote the app's row.
      const reason = err instanceof Error ? err.message : String(err);
      log.error(
        { reason, appId: claimed.app_id, operationId: claimed.id, kind: claimed.kind },
        "an operation past its deadline could not be failed; it may be tried again later",
      );
      await postponeDeadline(db, claimed.id, retryAfterMs).catch((postponing: unknown) =>
        log.warn({ err: postponing, operationId: claimed?.id }, "could not move the operation's deadline on"),
      );
    }
  }
  return reaped;
}

/** Settles `op`'s app in error with why, and asks for attention, if `op` still holds the app. */
async function failTimedOut(
  trx: Kysely<ApplicationsDatabase>,
  op: AppOperationRow,
  settings: LifeCycleSettings,
  log: Logger,
): Promise<void> {
  const app = await findAppById(trx, op.app_id);
  if (!app || app.current_operation_id !== op.id) return;
  const minutes = Math.round(settings.deadlinesMs[op.kind] / 60_000);
  const reason = timedOutMessage(op.kind, minutes);
  const settled = await settleFailure(trx, { op, app }, { reason, attempts: 0, containerStatus: "" }, "");
  await raiseAttention(trx, settled.id, reason);
  await emit(
    trx,
    Events.AppNeedsAttention,
    {
      app: appRef(settled),
      kind: applicationsEventsV1.AttentionKind.ATTENTION_KIND_OPERATION_TIMED_OUT,
      reason,
    },
    settled,
    "",
  );
  log.warn({ appId: app.id, operationId: op.id, kind: op.kind }, "operation timed out; app set to error");
}

async function raiseAttention(
  trx: Kysely<ApplicationsDatabase>,
  appId: string,
  reason: string,
): Promise<void> {
  await trx
    .updateTable("apps")
    .set({ attention: reason, attention_kind: "operation_timed_out", attention_since: sql<Date>`now()` })
    .where("id", "=", appId)
    .execute();
}
