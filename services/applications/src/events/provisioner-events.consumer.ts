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
import { handleOperationFailed } from "./handlers/operation-failed.handler.js";
import { handleOperationProgressed } from "./handlers/operation-progressed.handler.js";
import { handleOperationSucceeded } from "./handlers/operation-succeeded.handler.js";
import { handleOperationsProgressed } from "./handlers/operations-progressed.handler.js";
import { recordUnappliedResult } from "./handlers/result-exhausted.js";

export interface ProvisionerEventsConsumerDeps {
  readonly db: ApplicationsDb;
  readonly bus: Bus;
  readonly logger: Logger;
  readonly verifier: EventVerifier;
  /** The service's tracer: a span per event handled. */
  readonly tracer?: Tracer;
}

/**
 * One durable consumer for the provisioner's public deployment events. One consumer (rather than
 * one per event) keeps progress, success and failure of an operation in publication order.
 */
export function createProvisionerEventsConsumer({
  db,
  bus,
  logger,
  verifier,
  tracer,
}: ProvisionerEventsConsumerDeps): EventConsumer {
  return createEventConsumer({
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable: Durables.applicationsProvisionerEvents,
    verifier,
    ...(tracer ? { tracer } : {}),
    subscriptions: [
      subscribe(Events.OperationsProgressed, handleOperationsProgressed(db)),
      subscribe(Events.OperationProgressed, handleOperationProgressed(db)),
      subscribe(Events.OperationSucceeded, handleOperationSucceeded(db), recordUnappliedResult(db)),
      subscribe(Events.OperationFailed, handleOperationFailed(db), recordUnappliedResult(db)),
    ],
  });
}
