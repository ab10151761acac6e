import { type Bus, createEventConsumer, type EventConsumer, Events, subscribe } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { ApplicationsDb } from "../db/database.js";
import { OBSERVATIONS_DURABLE } from "./durables.js";
import { handleContainersObserved } from "./handlers/containers-observed.handler.js";

export interface ObservationsConsumerDeps {
  readonly db: ApplicationsDb;
  readonly bus: Bus;
  readonly logger: Logger;
}

/**
 * The provisioner's container observations, on a durable of their own filtered to their subject:
 * a backlog of observations never waits in front of operation results, and with several replicas
 * each observation is still handled by one of them (the inbox catches redeliveries).
 */
export function createObservationsConsumer({ db, bus, logger }: ObservationsConsumerDeps): EventConsumer {
  return createEventConsumer({
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable: OBSERVATIONS_DURABLE,
    stream: "PROVISIONER",
    // Observations repeat every interval: a failing one is not worth long retries.
    maxDeliver: 3,
    subscriptions: [subscribe(Events.ContainersObserved, handleContainersObserved(db))],
  });
}
