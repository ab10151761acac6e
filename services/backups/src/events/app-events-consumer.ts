import { type Bus, createEventConsumer, type EventConsumer, Events, subscribe } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { Kysely } from "kysely";
import type { BackupsDatabase } from "../db/database.js";
import { appArrivedHandler } from "./handlers/app-arrived.handler.js";
import { appDeletedHandler } from "./handlers/app-deleted.handler.js";

/** Durable name of this service's subscription to the applications service's public app events. */
export const APP_EVENTS_CONSUMER = "backups-app-events";

/** The backups service's durable consumer on the APPLICATIONS stream: who owns which app. */
export function createAppEventsConsumer(
  db: Kysely<BackupsDatabase>,
  bus: Bus,
  logger: Logger,
): EventConsumer {
  return createEventConsumer({
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable: APP_EVENTS_CONSUMER,
    stream: "APPLICATIONS",
    subscriptions: [
      subscribe(Events.AppDeployed, appArrivedHandler(db, APP_EVENTS_CONSUMER, "AppDeployed")),
      subscribe(Events.AppCloned, appArrivedHandler(db, APP_EVENTS_CONSUMER, "AppCloned")),
      subscribe(Events.AppAdopted, appArrivedHandler(db, APP_EVENTS_CONSUMER, "AppAdopted")),
      subscribe(Events.AppDeleted, appDeletedHandler(db, APP_EVENTS_CONSUMER)),
    ],
  });
}
