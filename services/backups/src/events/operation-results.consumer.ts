import {
  type Bus,
  createEventConsumer,
  Durables,
  type EventConsumer,
  Events,
  type EventVerifier,
  RetiredDurables,
  type RetiringDurable,
  retireDurable,
  subscribe,
} from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { Tracer } from "@proximity/telemetry";
import type { Kysely } from "kysely";
import type { BackupsDatabase } from "../db/database.js";
import { operationFailedHandler } from "./handlers/operation-failed.handler.js";
import { operationSucceededHandler } from "./handlers/operation-succeeded.handler.js";
import { recordUnappliedResult } from "./handlers/result-exhausted.js";

/** The handlers of operation results, the same on the current durable and the retired one. */
function resultSubscriptions(db: Kysely<BackupsDatabase>) {
  return [
    subscribe(Events.OperationSucceeded, operationSucceededHandler(db), recordUnappliedResult(db)),
    subscribe(Events.OperationFailed, operationFailedHandler(db), recordUnappliedResult(db)),
  ];
}

/**
 * The provisioner's results of backups, restores and archive deletions (one durable on their
 * `archive` subjects, so the results of one operation arrive in publication order).
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
    durable: Durables.backupsArchiveResults,
    verifier,
    ...(tracer ? { tracer } : {}),
    subscriptions: resultSubscriptions(db),
  });
}

/**
 * Drains, then deletes, the results' durable of earlier releases (every operation's results and
 * progress): archive results an older provisioner published there are applied as before; the
 * others are acknowledged without effect. Deleted once no older provisioner was heard from for
 * `quietMs` (RETIRED_DURABLE_QUIET_MS).
 */
export function retireOldResultsConsumer(
  db: Kysely<BackupsDatabase>,
  bus: Bus,
  logger: Logger,
  verifier: EventVerifier,
  quietMs: number,
  tracer?: Tracer,
): RetiringDurable {
  return retireDurable({
    quietMs,
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable: RetiredDurables.backupsOperationResults,
    verifier,
    ...(tracer ? { tracer } : {}),
    subscriptions: resultSubscriptions(db),
  });
}
