import type { Generated, Insertable, Selectable } from "kysely";

/** What happened to an app, line by line, as shown to its owner. */
export interface DeploymentLogsTable {
  id: Generated<number>;
  app_id: string;
  level: LogLevel;
  step: string;
  message: string;
  created_at: Generated<Date>;
}

export type LogLevel = "info" | "warn" | "error";
export type DeploymentLogRow = Selectable<DeploymentLogsTable>;
export type NewDeploymentLogRow = Insertable<DeploymentLogsTable>;
