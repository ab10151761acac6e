import type { ServiceRegistration } from "@proximity/grpc";
import { applicationsV1 } from "@proximity/proto";
import type { HandlerDeps } from "./handler-deps.js";
import { abandonArchiveOperation } from "./handlers/abandon-archive-operation.js";
import { adoptApp } from "./handlers/adopt-app.js";
import { beginArchiveOperation } from "./handlers/begin-archive-operation.js";
import { cloneApp } from "./handlers/clone-app.js";
import { countAppsOnHost } from "./handlers/count-apps-on-host.js";
import { deleteApp } from "./handlers/delete-app.js";
import { deployApp } from "./handlers/deploy-app.js";
import { discoverContainers } from "./handlers/discover-containers.js";
import { getApp } from "./handlers/get-app.js";
import { getCatalogItem } from "./handlers/get-catalog-item.js";
import { getUserQuota } from "./handlers/get-user-quota.js";
import { listAppLogs } from "./handlers/list-app-logs.js";
import { listApps } from "./handlers/list-apps.js";
import { listCatalog } from "./handlers/list-catalog.js";
import { listCategories } from "./handlers/list-categories.js";
import { reinstateHost } from "./handlers/reinstate-host.js";
import { reloadCatalog } from "./handlers/reload-catalog.js";
import { requestAppAction } from "./handlers/request-app-action.js";
import { restoreIntoNewApp } from "./handlers/restore-into-new-app.js";
import { retireHost } from "./handlers/retire-host.js";
import { setUserQuota } from "./handlers/set-user-quota.js";

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
    retireHost: retireHost(deps),
    reinstateHost: reinstateHost(deps),
    requestAppAction: requestAppAction(deps),
    deleteApp: deleteApp(deps),
    cloneApp: cloneApp(deps),
    discoverContainers: discoverContainers(deps),
    adoptApp: adoptApp(deps),
    getUserQuota: getUserQuota(deps),
    setUserQuota: setUserQuota(deps),
    beginArchiveOperation: beginArchiveOperation(deps),
    restoreIntoNewApp: restoreIntoNewApp(deps),
    abandonArchiveOperation: abandonArchiveOperation(deps),
  };
  return {
    name: "proximity.applications.v1.ApplicationsService",
    definition: applicationsV1.ApplicationsServiceService,
    implementation,
  };
}
