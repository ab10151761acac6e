import { applicationsV1 } from "@proximity/proto";
import type { CatalogItem } from "../catalog/catalog-item.js";
import type { AppRow } from "../db/apps.table.js";
import type { DeploymentLogRow } from "../db/deployment-logs.table.js";
import type { AppStatus } from "../domain/app-status.js";

const { AppStatus: ProtoStatus } = applicationsV1;

/** `gone` has no wire value: gone apps are never returned (they read as NotFound). */
const STATUS_TO_PROTO: Readonly<Record<AppStatus, applicationsV1.AppStatus>> = {
  deploying: ProtoStatus.APP_STATUS_DEPLOYING,
  running: ProtoStatus.APP_STATUS_RUNNING,
  stopped: ProtoStatus.APP_STATUS_STOPPED,
  starting: ProtoStatus.APP_STATUS_STARTING,
  stopping: ProtoStatus.APP_STATUS_STOPPING,
  updating: ProtoStatus.APP_STATUS_UPDATING,
  cloning: ProtoStatus.APP_STATUS_CLONING,
  removing: ProtoStatus.APP_STATUS_REMOVING,
  error: ProtoStatus.APP_STATUS_ERROR,
  gone: ProtoStatus.APP_STATUS_UNSPECIFIED,
};

export function appToProto(row: AppRow): applicationsV1.App {
  return {
    id: row.id,
    ownerId: row.owner_id,
    catalogId: row.catalog_id,
    hostname: row.hostname,
    status: STATUS_TO_PROTO[row.status],
    statusMessage: row.status_message,
    hostId: row.host_id,
    node: row.node,
    vmid: row.vmid ?? 0,
    port: row.port,
    ipAddress: row.ip_address ?? "",
    environment: row.environment,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    // Metrics snapshots are not collected yet; unset means "unknown" on the wire.
    metrics: undefined,
    accessUrl: "",
    secrets: {},
    adopted: false,
    attention: "",
    currentOperation: "",
    uptimeSeconds: 0,
  };
}

export function deploymentLogToProto(row: DeploymentLogRow): applicationsV1.DeploymentLog {
  return {
    id: row.id,
    appId: row.app_id,
    level: row.level,
    step: row.step,
    message: row.message,
    createdAt: row.created_at,
  };
}

/** The domain item already has the wire shape; copying keeps the proto free of extra fields. */
export function catalogItemToProto(item: CatalogItem): applicationsV1.CatalogItem {
  return {
    id: item.id,
    name: item.name,
    description: item.description,
    category: item.category,
    version: item.version,
    icon: item.icon,
    compose: item.compose,
    port: item.port,
    cores: item.cores,
    memoryMb: item.memoryMb,
    diskGb: item.diskGb,
    environment: [],
    website: "",
  };
}
