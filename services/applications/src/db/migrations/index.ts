import type { MigrationSet } from "@proximity/db";
import * as appsAndDeploymentLogs from "./0001_apps_and_deployment_logs.js";

/** Every migration of the applications schema, applied in name order. */
export const applicationsMigrations: MigrationSet = {
  "0001_apps_and_deployment_logs": appsAndDeploymentLogs,
};
