import type { HandlerFactory } from "@proximity/grpc";
import type { PlacementClient } from "../app/resolve-placement.js";
import type { Catalog } from "../catalog/catalog.js";
import type { ApplicationsDb } from "../db/database.js";

/** What the RPC handlers work with; built once by the service. */
export interface HandlerDeps {
  readonly h: HandlerFactory;
  readonly db: ApplicationsDb;
  readonly catalog: Catalog;
  readonly hosts: PlacementClient;
}
