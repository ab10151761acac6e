import type { HandlerFactory } from "@proximity/grpc";
import type { SecretStore } from "../app/app-secrets.js";
import type { ContainerDiscovery } from "../app/discover-containers.js";
import type { LifeCycleSettings } from "../app/life-cycle-settings.js";
import type { PlacementClient } from "../app/resolve-placement.js";
import type { Catalog } from "../catalog/catalog.js";
import type { ApplicationsDb } from "../db/database.js";

/** What the RPC handlers work with; built once by the service. */
export interface HandlerDeps {
  readonly h: HandlerFactory;
  readonly db: ApplicationsDb;
  readonly catalog: Catalog;
  readonly hosts: PlacementClient;
  readonly secrets: SecretStore;
  readonly provisioner: ContainerDiscovery;
  readonly settings: LifeCycleSettings;
  /** Metrics older than this are not shown (config METRICS_STALE_AFTER_MS). */
  readonly metricsStaleAfterMs: number;
}
