import { type Kysely, sql } from "kysely";
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

/** A line about an operation, delivered as event `eventId` to inbox `consumer`. */
export interface OperationLogLine {
  readonly consumer: string;
  readonly eventId: string;
  readonly operationId: string;
  readonly level: LogLevel;
  readonly step: string;
  readonly message: string;
}

/**
 * Appends a line to the app whose current operation `operationId` is, while that operation runs,
 * once per event: the inbox row and the line are written by one statement (the inbox insert runs
 * whether or not the line is, so a redelivery finds the event processed). One round trip instead of
 * a transaction of six: progress events are the most frequent results. The operation row is
 * share-locked: a settlement committing meanwhile (the result on another replica, the reaper) is
 * waited for and its status re-checked, so no line lands after the operation's last one.
 * @returns whether the line was appended (false: a duplicate, or no such running operation).
 */
export async function appendOperationLogOnce(db: Db, line: OperationLogLine): Promise<boolean> {
  const result = await sql`
    with first_delivery as (
      insert into inbox (consumer, event_id) values (${line.consumer}, ${line.eventId})
      on conflict (consumer, event_id) do nothing
      returning event_id
    )
    insert into deployment_logs (app_id, level, step, message)
    select o.app_id, ${line.level}, ${line.step}, ${line.message}
    from first_delivery, app_operations o
    join apps a on a.id = o.app_id and a.current_operation_id = o.id
    where o.id = ${line.operationId}::uuid and o.status = 'running'
    for share of o`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
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
