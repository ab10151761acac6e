import { type EventHandler, PermanentFailure } from "@proximity/bus";
import type { applicationsEventsV1 } from "@proximity/proto";
import type { Kysely } from "kysely";
import { appFactsOfRef } from "../../app/app-facts.js";
import { recordAppOwnerOnce } from "../../db/app-owner.repository.js";
import type { BackupsDatabase } from "../../db/database.js";
import { APP_EVENTS_CONSUMER } from "../durables.js";

/** The app events that say an app exists, with its owner (`app` is the new app for AppCloned). */
type AppArrived =
  | applicationsEventsV1.AppDeployed
  | applicationsEventsV1.AppCloned
  | applicationsEventsV1.AppAdopted;

/**
 * AppDeployed, AppCloned, AppAdopted: the app's owner and names are recorded and it gets the default
 * policy (an existing one is kept). Once per event id (inbox row written by the same statement).
 */
export function appArrivedHandler(db: Kysely<BackupsDatabase>, name: string): EventHandler<AppArrived> {
  return async (event, ctx) => {
    const appId = event.app?.appId;
    if (!event.app || !appId || !event.app.ownerId)
      throw new PermanentFailure(`${name} without app_id or owner_id`);
    const app = appFactsOfRef(event.app);
    const outcome = await recordAppOwnerOnce(
      db,
      { consumer: APP_EVENTS_CONSUMER, eventId: ctx.eventId },
      app,
    );
    ctx.log.info(
      { appId, event: name, duplicate: !outcome.processed, ...(outcome.processed ? outcome.result : {}) },
      "app owner recorded by backups",
    );
  };
}
