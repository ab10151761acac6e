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
import type { ApplicationsDb } from "../db/database.js";
import { handleContainersObserved } from "./handlers/containers-observed.handler.js";

export interface ObservationsConsumerDeps {
  readonly db: ApplicationsDb;
  readonly bus: Bus;
  readonly logger: Logger;
  readonly verifier: EventVerifier;
  /** The service's tracer: a span per event handled. */
  readonly tracer?: Tracer;
}

const OBSERVATION_CONCURRENCY = 4;

/**
 * The provisioner's container observations, on a durable of their own filtered to their subject:
 * a backlog of observations never waits in front of operation results, and with several replicas
 * each observation is still handled by one of them (the inbox catches redeliveries). A few at once: observations of different nodes touch different
 * rows, and two of one node are serialised by its watermark row (the older is ignored).
 */
export function createObservationsConsumer({
  db,
  bus,
  logger,
  verifier,
  tracer,
}: ObservationsConsumerDeps): EventConsumer {
  return createEventConsumer({
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable: Durables.applicationsObservations,
    verifier,
    ...(tracer ? { tracer } : {}),
    // Observations repeat every interval: a failing one is not worth long retries.
    maxDeliver: 3,
    // A thousand hosts of two nodes every 15 s is over 130 observations a second.
    concurrency: OBSERVATION_CONCURRENCY,
    subscriptions: [subscribe(Events.ContainersObserved, handleContainersObserved(db))],
  });
}
