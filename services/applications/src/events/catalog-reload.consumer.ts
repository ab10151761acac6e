import {
  Broadcasts,
  type Bus,
  createBroadcastConsumer,
  type EventConsumer,
  Events,
  type EventVerifier,
  subscribe,
} from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { Catalog } from "../catalog/catalog.js";
import { handleCatalogReloadRequested } from "./handlers/catalog-reload-requested.handler.js";

/** The consumer's name (logs, dead letters); each replica reads for itself. */
export const CATALOG_RELOAD_CONSUMER = Broadcasts.applicationsCatalogReload.name;

export interface CatalogReloadConsumerDeps {
  readonly bus: Bus;
  readonly catalog: Catalog;
  readonly logger: Logger;
  readonly verifier: EventVerifier;
}

/**
 * Reloads this replica's catalog when any replica's ReloadCatalog succeeded. A broadcast (ephemeral,
 * per-process) consumer, not a durable one: a durable would hand each event to one replica only,
 * and an inbox would make the first replica's processing count for all of them.
 */
export function createCatalogReloadConsumer({
  bus,
  catalog,
  logger,
  verifier,
}: CatalogReloadConsumerDeps): EventConsumer {
  return createBroadcastConsumer({
    bus,
    logger,
    consumer: Broadcasts.applicationsCatalogReload,
    verifier,
    subscriptions: [subscribe(Events.CatalogReloadRequested, handleCatalogReloadRequested(catalog))],
  });
}
