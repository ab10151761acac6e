import type { Kysely } from "kysely";
import type { ApplicationsDatabase } from "./database.js";
import type { DeploymentLogRow, LogLevel } from "./deployment-logs.table.js";

type Db = Kysely<ApplicationsDatabase>;

export interface LogLine {
  readonly appId: string;
  readonly level: LogLevel;
  /** Short machine-friendly stage, e.g. "requested", "create_container", "failed". */
  readonly step: string;
  readonly message: string;
}

export async function appendLog(db: Db, line: LogLine): Promise<void> {
  await db
    .insertInto("deployment_logs")
    .values({ app_id: line.appId, level: line.level, step: line.step, message: line.message })
    .execute();
}

/** The latest `limit` lines of an app, oldest first (the order a log is read in). */
export async function listRecentLogs(db: Db, appId: string, limit: number): Promise<DeploymentLogRow[]> {
  const newestFirst = await db
    .selectFrom("deployment_logs")
    .selectAll()
    .where("app_id", "=", appId)
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return newestFirst.reverse();
}
