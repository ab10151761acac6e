import { type Bus, createEventConsumer, type EventConsumer, Events, subscribe } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { Kysely } from "kysely";
import type { BackupsDatabase } from "../db/database.js";
import { operationSucceededHandler } from "./handlers/operation-succeeded.handler.js";

/** Durable name of this service's subscription to the provisioner's public deployment events. */
export const DEPLOYMENTS_CONSUMER = "backups-deployments";

/** The backups service's own durable consumer on the PROVISIONER stream. */
export function createDeploymentsConsumer(
  db: Kysely<BackupsDatabase>,
  bus: Bus,
  logger: Logger,
): EventConsumer {
  return createEventConsumer({
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable: DEPLOYMENTS_CONSUMER,
    stream: "PROVISIONER",
    subscriptions: [
      subscribe(Events.OperationSucceeded, operationSucceededHandler(db, DEPLOYMENTS_CONSUMER)),
    ],
  });
}
