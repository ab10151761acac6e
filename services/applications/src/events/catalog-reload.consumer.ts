import { type Bus, createBroadcastConsumer, type EventConsumer, Events, subscribe } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { Catalog } from "../catalog/catalog.js";
import { handleCatalogReloadRequested } from "./handlers/catalog-reload-requested.handler.js";

/** Prefix of each replica's own consumer name (a per-process suffix is added). */
export const CATALOG_RELOAD_CONSUMER = "applications-catalog-reload";

export interface CatalogReloadConsumerDeps {
  readonly bus: Bus;
  readonly catalog: Catalog;
  readonly logger: Logger;
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
}: CatalogReloadConsumerDeps): EventConsumer {
  return createBroadcastConsumer({
    js: bus.js,
    ns: bus.ns,
    logger,
    name: CATALOG_RELOAD_CONSUMER,
    stream: "APPLICATIONS",
    subscriptions: [subscribe(Events.CatalogReloadRequested, handleCatalogReloadRequested(catalog))],
  });
}
