import type { MessagingTables } from "@proximity/bus";
import type { Kysely } from "kysely";
import type { AppAttentionColumns } from "./app-attention.table.js";
import type { AppCountsTable } from "./app-counts.table.js";
import type { AppMetricsTable, ObservedNodesTable } from "./app-metrics.table.js";
import type { AppOperationsTable } from "./app-operations.table.js";
import type { AppsTable } from "./apps.table.js";
import type { DeploymentLogsTable } from "./deployment-logs.table.js";
import type { PlacementHostsTable, PortAllocationsTable, UserQuotasTable } from "./placement.tables.js";

/** The applications schema: its own tables plus the outbox and inbox of the bus. */
export interface ApplicationsDatabase extends MessagingTables {
  /** attention columns: migration 0003 (observations). */
  apps: AppsTable & AppAttentionColumns;
  app_counts: AppCountsTable;
  app_metrics: AppMetricsTable;
  observed_nodes: ObservedNodesTable;
  deployment_logs: DeploymentLogsTable;
  app_operations: AppOperationsTable;
  port_allocations: PortAllocationsTable;
  user_quotas: UserQuotasTable;
  placement_hosts: PlacementHostsTable;
}

export type ApplicationsDb = Kysely<ApplicationsDatabase>;
