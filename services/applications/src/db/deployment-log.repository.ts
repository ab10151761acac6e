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

export interface LogRange {
  readonly limit: number;
  readonly afterId?: number;
  readonly beforeId?: number;
}

/**
 * Lines of an app in id order: the first `limit` after `afterId` when it is given (reading
 * forward), else the latest `limit` (below `beforeId` when given), always returned oldest first.
 */
export async function listLogs(db: Db, appId: string, range: LogRange): Promise<DeploymentLogRow[]> {
  const forward = range.afterId !== undefined;
  const rows = await db
    .selectFrom("deployment_logs")
    .selectAll()
    .where("app_id", "=", appId)
    .$if(range.afterId !== undefined, (qb) => qb.where("id", ">", range.afterId!))
    .$if(range.beforeId !== undefined, (qb) => qb.where("id", "<", range.beforeId!))
    .orderBy("id", forward ? "asc" : "desc")
    .limit(range.limit)
    .execute();
  return forward ? rows : rows.reverse();
}
