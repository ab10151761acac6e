import { type EventHandler, PermanentFailure, processOnce } from "@proximity/bus";
import type { applicationsEventsV1 } from "@proximity/proto";
import type { Kysely } from "kysely";
import { appFactsOfRef } from "../../app/app-facts.js";
import { handleAppDeleted } from "../../app/handle-app-deleted.js";
import type { BackupsDatabase } from "../../db/database.js";
import { APP_EVENTS_CONSUMER } from "../durables.js";

/**
 * AppDeleted: the app is marked deleted (its owner no longer reaches its policy or backups;
 * admins still do, named after the app as the event names it), its schedule stops, and with `delete_backups` its archives are removed.
 * Once per event id.
 */
export function appDeletedHandler(
  db: Kysely<BackupsDatabase>,
): EventHandler<applicationsEventsV1.AppDeleted> {
  return async (event, ctx) => {
    const appId = event.app?.appId;
    if (!event.app || !appId || !event.app.ownerId)
      throw new PermanentFailure("AppDeleted without app_id or owner_id");
    const app = appFactsOfRef(event.app);
    const outcome = await processOnce(db, APP_EVENTS_CONSUMER, ctx.eventId, (trx) =>
      handleAppDeleted(trx, { app, deleteBackups: event.deleteBackups }, ctx.traceparent, ctx.log),
    );
    ctx.log.info(
      {
        appId,
        deleteBackups: event.deleteBackups,
        duplicate: !outcome.processed,
        ...(outcome.processed ? outcome.result : {}),
      },
      "app deletion recorded by backups",
    );
  };
}
