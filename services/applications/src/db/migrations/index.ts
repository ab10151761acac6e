import type { MigrationSet } from "@proximity/db";
import * as appsAndDeploymentLogs from "./0001_apps_and_deployment_logs.js";
import * as lifeCycle from "./0002_life_cycle.js";
import * as observations from "./0003_observations.js";
import * as archiveOperations from "./0004_archive_operations.js";
import * as appCounts from "./0005_app_counts.js";

/** Every migration of the applications schema, applied in name order. */
export const applicationsMigrations: MigrationSet = {
  "0001_apps_and_deployment_logs": appsAndDeploymentLogs,
  "0002_life_cycle": lifeCycle,
  "0003_observations": observations,
  "0004_archive_operations": archiveOperations,
  "0005_app_counts": appCounts,
};
