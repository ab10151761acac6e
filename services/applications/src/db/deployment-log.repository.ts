import { type Kysely, type RawBuilder, sql } from "kysely";
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

/** A line of an app's log, the app given apart. */
export type AppLogLine = Omit<LogLine, "appId">;

export function appendLog(db: Db, line: LogLine): Promise<void> {
  return appendLogs(db, line.appId, [line]);
}

/** Appends lines to one app's log, in order, by one statement (none: nothing to do). */
export async function appendLogs(db: Db, appId: string, lines: readonly AppLogLine[]): Promise<void> {
  if (lines.length === 0) return;
  await appendLogsStatement(appId, lines).execute(db);
}

/**
 * The insert of `lines` into one app's log, in order, as one statement a business change may run
 * as a data-modifying CTE of its own (settleApp, insertAppWithOperation): the lines are written
 * only when `onlyIf` holds, e.g. `exists (select from settled)` on the change's CTE before it.
 */
export function appendLogsStatement(
  appId: string,
  lines: readonly AppLogLine[],
  onlyIf: RawBuilder<unknown> = sql`true`,
): RawBuilder<unknown> {
  const column = (pick: (l: AppLogLine) => string) => sql`${lines.map(pick)}::text[]`;
  return sql`insert into deployment_logs (app_id, level, step, message)
    select ${appId}::uuid, line.level, line.step, line.message
    from unnest(${column((l) => l.level)}, ${column((l) => l.step)}, ${column((l) => l.message)})
      with ordinality as line(level, step, message, n)
    where ${onlyIf}
    order by line.n`;
}

/** A line about an operation, for its app's log. */
export interface OperationLogLine {
  readonly operationId: string;
  readonly level: LogLevel;
  readonly step: string;
  readonly message: string;
}

/** Lines about operations, delivered together as event `eventId` to inbox `consumer`. */
export interface OperationLogLines {
  readonly consumer: string;
  readonly eventId: string;
  /** In the order they happened, each operation's (they get ascending ids). */
  readonly lines: readonly OperationLogLine[];
}

/**
 * Appends lines to the apps whose current operations they are about, each while its operation
 * runs, once per event: the inbox row and the lines are written by one statement (the inbox insert
 * runs whether or not any line is, so a redelivery finds the event processed). One round trip
 * however many operations the event reports: progress events are the most frequent results. The
 * operation rows are share-locked (in id order): a settlement committing meanwhile (the result on
 * another replica, the reaper) is waited for and its status re-checked, so no line lands after its
 * operation's last one.
 * @returns how many lines were appended (0: a duplicate, or no such running operation).
 */
export async function appendOperationLogOnce(db: Db, event: OperationLogLines): Promise<number> {
  const column = (pick: (l: OperationLogLine) => string) => sql`${event.lines.map(pick)}::text[]`;
  const operationIds = [...new Set(event.lines.map((l) => l.operationId))];
  const result = await sql`
    with first_delivery as (
      insert into inbox (consumer, event_id) values (${event.consumer}, ${event.eventId})
      on conflict (consumer, event_id) do nothing
      returning event_id
    ),
    running as (
      select o.id, o.app_id
      from first_delivery, app_operations o
      join apps a on a.id = o.app_id and a.current_operation_id = o.id
      where o.id = any(${operationIds}::uuid[]) and o.status = 'running'
      order by o.id
      for share of o
    )
    insert into deployment_logs (app_id, level, step, message)
    select running.app_id, line.level, line.step, line.message
    from unnest(${column((l) => l.operationId)}::uuid[], ${column((l) => l.level)}, ${column((l) => l.step)}, ${column((l) => l.message)})
      with ordinality as line(operation_id, level, step, message, n)
    join running on running.id = line.operation_id
    order by line.n`.execute(db);
  return Number(result.numAffectedRows ?? 0);
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
