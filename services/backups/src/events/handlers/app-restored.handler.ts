import { type EventHandler, PermanentFailure } from "@proximity/bus";
import type { applicationsEventsV1 } from "@proximity/proto";
import type { Kysely } from "kysely";
import { appFactsOfRef } from "../../app/app-facts.js";
import { recordAppOwnerOnce } from "../../db/app-owner.repository.js";
import type { BackupsDatabase } from "../../db/database.js";
import { APP_EVENTS_CONSUMER } from "../durables.js";

/**
 * AppRestored into a new app: like a deployed app, its owner and names are recorded and it gets the default
 * policy. A restore onto an existing app changes neither (its restore record is settled from the
 * provisioner's result). Once per event id.
 */
export function appRestoredHandler(
  db: Kysely<BackupsDatabase>,
): EventHandler<applicationsEventsV1.AppRestored> {
  return async (event, ctx) => {
    if (!event.newApp) return;
    const appId = event.app?.appId;
    if (!event.app || !appId || !event.app.ownerId)
      throw new PermanentFailure("AppRestored without app_id or owner_id");
    const app = appFactsOfRef(event.app);
    const outcome = await recordAppOwnerOnce(
      db,
      { consumer: APP_EVENTS_CONSUMER, eventId: ctx.eventId },
      app,
    );
    ctx.log.info(
      {
        appId,
        sourceAppId: event.sourceAppId,
        duplicate: !outcome.processed,
        ...(outcome.processed ? outcome.result : {}),
      },
      "restored app's owner recorded by backups",
    );
  };
}
