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
import type { Kysely } from "kysely";
import type { BackupsDatabase } from "../db/database.js";
import { backupsObservedHandler } from "./handlers/backups-observed.handler.js";

/**
 * The provisioner's storage listings on a durable of their own filtered to their subject: a
 * backlog of observations never waits in front of operation results.
 */
export function createStorageObservationsConsumer(
  db: Kysely<BackupsDatabase>,
  bus: Bus,
  logger: Logger,
  verifier: EventVerifier,
): EventConsumer {
  return createEventConsumer({
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable: Durables.backupsStorageObservations,
    verifier,
    // Observations repeat every interval: a failing one is not worth long retries.
    maxDeliver: 3,
    subscriptions: [subscribe(Events.BackupsObserved, backupsObservedHandler(db))],
  });
}
