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
import { operationFailedHandler } from "./handlers/operation-failed.handler.js";
import { operationSucceededHandler } from "./handlers/operation-succeeded.handler.js";
import { recordUnappliedResult } from "./handlers/result-exhausted.js";

/**
 * The provisioner's results of backups, restores and archive deletions (one durable, so the
 * results of one operation arrive in publication order). Results of other kinds are acknowledged
 * without effect; progress events are acknowledged as types without a handler.
 */
export function createOperationResultsConsumer(
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
    durable: Durables.backupsOperationResults,
    verifier,
    ...(tracer ? { tracer } : {}),
    subscriptions: [
      subscribe(Events.OperationSucceeded, operationSucceededHandler(db), recordUnappliedResult(db)),
      subscribe(Events.OperationFailed, operationFailedHandler(db), recordUnappliedResult(db)),
    ],
  });
}
