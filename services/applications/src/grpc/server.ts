import type { ServiceRegistration } from "@proximity/grpc";
import { applicationsV1 } from "@proximity/proto";
import type { HandlerDeps } from "./handler-deps.js";
import { countAppsOnHost } from "./handlers/count-apps-on-host.js";
import { deployApp } from "./handlers/deploy-app.js";
import { getApp } from "./handlers/get-app.js";
import { getCatalogItem } from "./handlers/get-catalog-item.js";
import { listAppLogs } from "./handlers/list-app-logs.js";
import { listApps } from "./handlers/list-apps.js";
import { listCatalog } from "./handlers/list-catalog.js";
import { listCategories } from "./handlers/list-categories.js";
import { reloadCatalog } from "./handlers/reload-catalog.js";

/** The ApplicationsService with one handler per RPC (a missing one is a compile error). */
export function applicationsServiceRegistration(deps: HandlerDeps): ServiceRegistration {
  const implementation: applicationsV1.ApplicationsServiceServer = {
    listCatalog: listCatalog(deps),
    listCategories: listCategories(deps),
    getCatalogItem: getCatalogItem(deps),
    reloadCatalog: reloadCatalog(deps),
    deployApp: deployApp(deps),
    listApps: listApps(deps),
    getApp: getApp(deps),
    listAppLogs: listAppLogs(deps),
    countAppsOnHost: countAppsOnHost(deps),
  };
  return {
    name: "proximity.applications.v1.ApplicationsService",
    definition: applicationsV1.ApplicationsServiceService,
    implementation,
  };
}
