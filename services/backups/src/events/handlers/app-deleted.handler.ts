import { type EventHandler, PermanentFailure, processOnce } from "@proximity/bus";
import type { applicationsEventsV1 } from "@proximity/proto";
import type { Kysely } from "kysely";
import { recordAppDeleted } from "../../app/record-app-owner.js";
import type { BackupsDatabase } from "../../db/database.js";

/**
 * AppDeleted: the app is marked deleted (its owner no longer sees its policy; admins still do).
 * The policy itself stays; `delete_backups` is for when backups exist. Once per event id.
 */
export function appDeletedHandler(
  db: Kysely<BackupsDatabase>,
  consumer: string,
): EventHandler<applicationsEventsV1.AppDeleted> {
  return async (event, ctx) => {
    const appId = event.app?.appId;
    const ownerId = event.app?.ownerId;
    if (!appId || !ownerId) throw new PermanentFailure("AppDeleted without app_id or owner_id");
    const outcome = await processOnce(db, consumer, ctx.eventId, (trx) =>
      recordAppDeleted(trx, appId, ownerId),
    );
    ctx.log.info({ appId, duplicate: !outcome.processed }, "app deletion recorded by backups");
  };
}
