import type { applicationsEventsV1 } from "@proximity/proto";
import type { CatalogItem } from "../catalog/catalog-item.js";
import type { AppRow } from "../db/apps.table.js";

/** Names of the app's secret variables that have a value in the secrets service. */
export function secretNames(app: Pick<AppRow, "secret_env">): string[] {
  return Object.entries(app.secret_env)
    .filter(([, set]) => set)
    .map(([name]) => name);
}

/** The provisioner's deploy request for `app` (a first deployment or a retry): names of secrets, never values. */
export function deployRequest(
  app: AppRow,
  item: CatalogItem,
  operationId: string,
  /** The operation's deadline (app_operations.deadline_at). */
  notAfter: Date,
): applicationsEventsV1.AppDeployRequested {
  return {
    operationId,
    appId: app.id,
    ownerId: app.owner_id,
    hostId: app.host_id,
    node: app.node,
    hostname: app.hostname,
    catalogId: item.id,
    compose: item.compose,
    environment: { ...app.environment },
    resources: { cores: item.cores, memoryMb: item.memoryMb, diskGb: item.diskGb },
    port: item.port,
    publicPort: app.public_port ?? 0,
    secretEnvironment: secretNames(app),
    notAfter,
  };
}
