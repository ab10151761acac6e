import { applicationsV1 } from "@proximity/proto";
import type { CatalogItem } from "../catalog/catalog-item.js";
import type { AppWithAttention } from "../db/app-attention.table.js";
import type { AppMetricsRow } from "../db/app-metrics.table.js";
import type { AppRow } from "../db/apps.table.js";
import type { DeploymentLogRow } from "../db/deployment-logs.table.js";
import type { AppStatus } from "../domain/app-status.js";
import { metricsToProto } from "./metrics-to-proto.js";

const { AppStatus: ProtoStatus } = applicationsV1;

/** `gone` has no wire value: gone apps are never returned (they read as NotFound). */
const STATUS_TO_PROTO: Readonly<Record<AppStatus, applicationsV1.AppStatus>> = {
  deploying: ProtoStatus.APP_STATUS_DEPLOYING,
  running: ProtoStatus.APP_STATUS_RUNNING,
  stopped: ProtoStatus.APP_STATUS_STOPPED,
  starting: ProtoStatus.APP_STATUS_STARTING,
  stopping: ProtoStatus.APP_STATUS_STOPPING,
  restarting: ProtoStatus.APP_STATUS_RESTARTING,
  updating: ProtoStatus.APP_STATUS_UPDATING,
  cloning: ProtoStatus.APP_STATUS_CLONING,
  adopting: ProtoStatus.APP_STATUS_ADOPTING,
  removing: ProtoStatus.APP_STATUS_REMOVING,
  restoring: ProtoStatus.APP_STATUS_RESTORING,
  error: ProtoStatus.APP_STATUS_ERROR,
  gone: ProtoStatus.APP_STATUS_UNSPECIFIED,
};

/**
 * `metrics`: the app's latest snapshot if fresh (see withFreshMetrics in app.repository.ts); `row.attention` comes with
 * `selectAll()` rows (migration 0003) and reads as "" when a query left it out.
 */
export function appToProto(
  row: AppRow & Partial<Pick<AppWithAttention, "attention">>,
  metrics?: AppMetricsRow,
): applicationsV1.App {
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
    port: publishedPort(row),
    ipAddress: row.ip_address ?? "",
    environment: row.environment,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    metrics: metricsToProto(metrics),
    accessUrl: accessUrl(row),
    secrets: { ...row.secret_env },
    adopted: row.adopted,
    attention: row.attention ?? "",
    currentOperation: row.current_operation ?? "",
    uptimeSeconds: metrics?.uptime_seconds ?? 0,
  };
}

/** The port users reach the app on: the pool port, or an adopted container's own port. */
function publishedPort(row: AppRow): number {
  return row.public_port ?? (row.adopted ? row.port : 0);
}

/** http://<ip>:<port> while the app runs and both are known (a stopped or failed app has no URL to give). */
function accessUrl(row: AppRow): string {
  const port = publishedPort(row);
  return row.status === "running" && row.ip_address && port ? `http://${row.ip_address}:${port}` : "";
}

export function statusToProto(status: AppStatus): applicationsV1.AppStatus {
  return STATUS_TO_PROTO[status];
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
    environment: item.environment.map((v) => ({
      name: v.name,
      description: v.description,
      defaultValue: v.defaultValue,
      required: v.required,
      secret: v.secret,
    })),
    website: item.website,
  };
}
