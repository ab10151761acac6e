import type { EndUser } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import type { Catalog } from "../catalog/catalog.js";
import type { ApplicationsDb } from "../db/database.js";
import type { SecretStore } from "./app-secrets.js";
import type { ContainerDiscovery } from "./discover-containers.js";
import type { LifeCycleSettings } from "./life-cycle-settings.js";
import type { PlacementClient } from "./resolve-placement.js";

/** What the life-cycle use-cases work with. */
export interface LifeCycleDeps {
  readonly db: ApplicationsDb;
  readonly catalog: Catalog;
  readonly hosts: PlacementClient;
  readonly secrets: SecretStore;
  readonly provisioner: ContainerDiscovery;
  readonly settings: LifeCycleSettings;
}

/** Who asks, within which trace, logging where. */
export interface RequestContext {
  readonly user: EndUser;
  readonly traceparent: string;
  readonly log: Logger;
}
