import type { MessagingTables } from "@proximity/bus";
import type { Kysely } from "kysely";
import type { AppsTable } from "./apps.table.js";
import type { DeploymentLogsTable } from "./deployment-logs.table.js";

/** The applications schema: its own tables plus the outbox and inbox of the bus. */
export interface ApplicationsDatabase extends MessagingTables {
  apps: AppsTable;
  deployment_logs: DeploymentLogsTable;
}

export type ApplicationsDb = Kysely<ApplicationsDatabase>;
