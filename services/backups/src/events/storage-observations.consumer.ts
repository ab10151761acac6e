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
  tracer?: Tracer,
): EventConsumer {
  return createEventConsumer({
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable: Durables.backupsStorageObservations,
    verifier,
    ...(tracer ? { tracer } : {}),
    // Observations repeat every interval: a failing one is not worth long retries.
    maxDeliver: 3,
    subscriptions: [subscribe(Events.BackupsObserved, backupsObservedHandler(db))],
  });
}
