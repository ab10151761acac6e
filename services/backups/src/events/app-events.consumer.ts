import {
  type Bus,
  createEventConsumer,
  Durables,
  type EventConsumer,
  Events,
  type EventVerifier,
  subscribe,
} from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { Tracer } from "@proximity/telemetry";
import type { Kysely } from "kysely";
import type { BackupsDatabase } from "../db/database.js";
import { appArrivedHandler } from "./handlers/app-arrived.handler.js";
import { appDeletedHandler } from "./handlers/app-deleted.handler.js";
import { appOperationFailedHandler } from "./handlers/app-operation-failed.handler.js";
import { appRestoredHandler } from "./handlers/app-restored.handler.js";

/**
 * The backups service's durable consumer on the APPLICATIONS stream: who owns which app, which
 * apps are gone, and archive operations the applications service gave up on.
 */
export function createAppEventsConsumer(
  db: Kysely<BackupsDatabase>,
  bus: Bus,
  logger: Logger,
  verifier: EventVerifier,
  tracer?: Tracer,
): EventConsumer {
  return createEventConsumer({
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable: Durables.backupsAppEvents,
    verifier,
    ...(tracer ? { tracer } : {}),
    subscriptions: [
      subscribe(Events.AppDeployed, appArrivedHandler(db, "AppDeployed")),
      subscribe(Events.AppCloned, appArrivedHandler(db, "AppCloned")),
      subscribe(Events.AppAdopted, appArrivedHandler(db, "AppAdopted")),
      subscribe(Events.AppRestored, appRestoredHandler(db)),
      subscribe(Events.AppDeleted, appDeletedHandler(db)),
      subscribe(Events.AppOperationFailed, appOperationFailedHandler(db)),
    ],
  });
}
