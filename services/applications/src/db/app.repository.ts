import type { OutboxRecord } from "@proximity/bus";
import { sideEffect } from "@proximity/db";
import { InvalidTransitionError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import { type Kysely, sql, type Updateable } from "kysely";
import { type AppStatus, assertTransition, INITIAL_STATUSES } from "../domain/app-status.js";
import type { ListPosition } from "../domain/list-cursor.js";
import type { OperationKind } from "../domain/operations.js";
import type { AppWithAttention } from "./app-attention.table.js";
import type { AppMetricsRow } from "./app-metrics.table.js";
import type { AppRow, AppsTable, NewAppRow } from "./apps.table.js";
import type { ApplicationsDatabase } from "./database.js";
import { type AppLogLine, appendLogsStatement } from "./deployment-log.repository.js";
import { type NewOperation, type OperationEnd, operationValues } from "./operation.repository.js";
import { recordedIf } from "./recorded-event.js";

/** Functions take the database or a transaction: the caller decides the unit of work. */
type Db = Kysely<ApplicationsDatabase>;

/** Fields a status change may set along with the status. */
export type AppChanges = Pick<
  Updateable<AppsTable>,
  "status_message" | "vmid" | "host_id" | "node" | "ip_address" | "public_port" | "adopted_config"
>;

export interface AppListFilter {
  readonly status?: AppStatus;
  /** Substring of the hostname. */
  readonly search?: string;
}

/** Where a page starts: after a keyset position, or at an offset (page/per_page). */
export type AppPageStart = { readonly after: ListPosition } | { readonly offset: number };

/** Inserts a new app; it must start in an initial status (an app is never created already running). */
export async function insertApp(db: Db, row: NewAppRow): Promise<AppRow> {
  assertInitialStatus(row);
  return db.insertInto("apps").values(row).returningAll().executeTakeFirstOrThrow();
}

function assertInitialStatus(row: NewAppRow): void {
  if (!INITIAL_STATUSES.includes(row.status)) throw new InvalidTransitionError("app", "new", row.status);
}

/** What insertAppWithOperation made: the app, and its operation's deadline. */
export interface InsertedApp {
  readonly app: AppRow;
  /** The deadline of the operation that makes the app (on the database's clock). */
  readonly deadlineAt: Date;
}

/**
 * insertApp, with the operation that makes the app and the first line of its log, in one
 * statement (data-modifying CTEs; the foreign keys are checked at its end, when the app exists).
 */
export async function insertAppWithOperation(
  db: Db,
  row: NewAppRow,
  operation: Omit<NewOperation, "appId">,
  firstLine: AppLogLine,
): Promise<InsertedApp> {
  assertInitialStatus(row);
  const { deadline_at, ...app } = await db
    .with("app", (qc) => qc.insertInto("apps").values(row).returningAll())
    .with("operation", (qc) =>
      qc
        .insertInto("app_operations")
        .values(operationValues({ ...operation, appId: row.id }))
        .returning("deadline_at"),
    )
    .with("logged", () => sideEffect(appendLogsStatement(row.id, [firstLine])))
    .selectFrom(["app", "operation"])
    .selectAll("app")
    .select("operation.deadline_at")
    .executeTakeFirstOrThrow();
  return { app, deadlineAt: deadline_at };
}

/** Any app by id, gone ones included (operation results may arrive late). */
export async function findAppById(db: Db, id: string): Promise<AppWithAttention | undefined> {
  return db.selectFrom("apps").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findAppByIdempotencyKey(
  db: Db,
  ownerId: string,
  key: string,
): Promise<AppRow | undefined> {
  return db
    .selectFrom("apps")
    .selectAll()
    .where("owner_id", "=", ownerId)
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
}

/**
 * Live apps `viewer` may see: their own, or all for an admin. Ownership is part of the query so
 * that a forgotten check elsewhere cannot leak another user's app.
 */
function visibleApps(db: Db, viewer: EndUser) {
  // Qualified: the reads with metrics join app_metrics (withFreshMetrics).
  return db
    .selectFrom("apps")
    .where("apps.status", "<>", "gone")
    .$if(!viewer.isAdmin, (qb) => qb.where("apps.owner_id", "=", viewer.id));
}

export async function findVisibleApp(db: Db, id: string, viewer: EndUser): Promise<AppRow | undefined> {
  return visibleApps(db, viewer).selectAll().where("id", "=", id).executeTakeFirst();
}

/** The app `id` if `viewer` may see it, with its metrics when fresh, in one statement. */
export async function findVisibleAppWithMetrics(
  db: Db,
  id: string,
  viewer: EndUser,
  metricsStaleAfterMs: number,
): Promise<ListedApp | undefined> {
  const row = await withFreshMetrics(visibleApps(db, viewer), metricsStaleAfterMs)
    .where("apps.id", "=", id)
    .executeTakeFirst();
  return row && withMetricsApart(row);
}

/**
 * Every column of the apps `query` selects, and their latest metrics as `m_*` columns when
 * observed within `staleAfterMs` (older snapshots are left out: a host that stopped answering must
 * not show frozen figures), by a left join: one statement, not a second read.
 */
function withFreshMetrics(query: ReturnType<typeof visibleApps>, staleAfterMs: number) {
  return query
    .leftJoin("app_metrics as m", (join) =>
      join
        .onRef("m.app_id", "=", "apps.id")
        .on("m.observed_at", ">", sql<Date>`now() - make_interval(secs => ${staleAfterMs / 1000})`),
    )
    .selectAll("apps")
    .select([
      "m.app_id as m_app_id",
      "m.cpu as m_cpu",
      "m.mem_bytes as m_mem_bytes",
      "m.max_mem_bytes as m_max_mem_bytes",
      "m.disk_bytes as m_disk_bytes",
      "m.max_disk_bytes as m_max_disk_bytes",
      "m.uptime_seconds as m_uptime_seconds",
      "m.container_status as m_container_status",
      "m.observed_at as m_observed_at",
    ]);
}

type AppWithMetricsColumns = AppRow & {
  [K in keyof AppMetricsRow as `m_${K}`]: AppMetricsRow[K] | null;
};

/**
 * A row of withFreshMetrics as the app and its metrics (none when not fresh). The app is the row
 * itself, its `m_*` columns (and a list's own) left on it unread: copying every column of every
 * row of a page into a new object without them was ~3 % of a list request's CPU (profiled).
 */
function withMetricsApart(row: AppWithMetricsColumns): ListedApp {
  if (row.m_app_id === null) return { app: row };
  const metrics = {
    app_id: row.m_app_id,
    cpu: row.m_cpu,
    mem_bytes: row.m_mem_bytes,
    max_mem_bytes: row.m_max_mem_bytes,
    disk_bytes: row.m_disk_bytes,
    max_disk_bytes: row.m_max_disk_bytes,
    uptime_seconds: row.m_uptime_seconds,
    container_status: row.m_container_status,
    observed_at: row.m_observed_at,
    // Every app_metrics column is NOT NULL: with the joined row present, none of these is null.
  } as AppMetricsRow;
  return { app: row, metrics };
}

/** An app of a list page with its latest metrics when fresh. */
export interface ListedApp {
  /**
   * The row as read, which may carry the query's other columns (`m_*`, a list's `position`): read
   * its fields; never spread, log or serialise it whole.
   */
  readonly app: AppRow;
  readonly metrics?: AppMetricsRow;
}

/** One page of apps, the position after it when more follow, and the counters' total if asked. */
export interface AppsPage {
  readonly items: ListedApp[];
  readonly next?: ListPosition;
  /**
   * How many visible apps match, read from the counters in the page's own statement (see
   * countVisibleApps): set when asked for, the filter has no search and the page is not empty.
   */
  readonly total?: number;
}

/**
 * One page of visible apps in list order (newest first) with their fresh metrics (one statement:
 * a round trip less than reading them after), and the position after its last app when more
 * follow (one row more is read to know). A keyset start reads only the page from the
 * (owner_id, created_at desc, id desc) index, however deep into the list it is. With
 * `withTotal`, a list without a search also sums the counters in that statement.
 */
export async function listVisibleApps(
  db: Db,
  viewer: EndUser,
  filter: AppListFilter,
  start: AppPageStart,
  limit: number,
  metricsStaleAfterMs: number,
  { withTotal = false }: { withTotal?: boolean } = {},
): Promise<AppsPage> {
  const countedTotal = withTotal && !filter.search;
  const found = await withFreshMetrics(matchingApps(db, viewer, filter), metricsStaleAfterMs)
    // PostgreSQL's microseconds: a JS Date would round them off and a cursor could skip an app.
    .select(
      sql<string>`to_char(apps.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
        "position",
      ),
    )
    .$if(countedTotal, (qb) => qb.select(countersSum(db, viewer, filter).as("counted_total")))
    .$if("after" in start, (qb) => {
      const { createdAt, id } = (start as { after: ListPosition }).after;
      return qb.where(sql<boolean>`(apps.created_at, apps.id) < (${createdAt}::timestamptz, ${id}::uuid)`);
    })
    // Newest first, id breaking ties; both descending, so one keyset index serves the order.
    .orderBy("apps.created_at", "desc")
    .orderBy("apps.id", "desc")
    .limit(limit + 1)
    .$if("offset" in start, (qb) => qb.offset((start as { offset: number }).offset))
    .execute();
  const page = found.slice(0, limit);
  const items = page.map(withMetricsApart);
  const last = page.at(-1);
  const counted = countedTotal ? (found[0] as { counted_total?: string | null } | undefined) : undefined;
  return {
    items,
    ...(found.length > limit && last ? { next: { createdAt: last.position, id: last.id } } : {}),
    ...(counted ? { total: Number(counted.counted_total ?? 0) } : {}),
  };
}

/**
 * How many visible apps match. Without a search this sums the per-(owner, status) counters the
 * triggers of migration 0005 keep (a few rows, whatever the number of apps); a hostname search
 * counts the matching rows exactly, as it has to read them to filter anyway.
 */
export async function countVisibleApps(db: Db, viewer: EndUser, filter: AppListFilter): Promise<number> {
  if (filter.search) {
    const row = await matchingApps(db, viewer, filter)
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
  const row = await countersSum(db, viewer, filter).executeTakeFirstOrThrow();
  return Number(row.n ?? 0);
}

/** The sum of the per-(owner, status) counters of the visible apps a filter without search matches. */
function countersSum(db: Db, viewer: EndUser, filter: AppListFilter) {
  return db
    .selectFrom("app_counts")
    .select(sql<string | null>`sum(n)`.as("n"))
    .$if(!viewer.isAdmin, (qb) => qb.where("owner_id", "=", viewer.id))
    .$if(filter.status !== undefined, (qb) => qb.where("status", "=", filter.status!))
    .$if(filter.status === undefined, (qb) => qb.where("status", "<>", "gone"));
}

function matchingApps(db: Db, viewer: EndUser, filter: AppListFilter) {
  return visibleApps(db, viewer)
    .$if(filter.status !== undefined, (qb) => qb.where("apps.status", "=", filter.status!))
    .$if(Boolean(filter.search), (qb) =>
      qb.where("apps.hostname", "ilike", `%${escapeLike(filter.search!)}%`),
    );
}

/** The operation an app is locked by (its id and kind go together). */
export interface OperationLock {
  readonly id: string;
  readonly kind: OperationKind;
}

/**
 * Starts an operation on an app: moves it from the status the caller read to `to` and records the
 * operation, only if no other operation holds the app. This conditional update is where "one
 * operation per app at a time" is decided: of two concurrent requests exactly one gets the row;
 * the other gets `undefined` and must re-read the app to explain why.
 */
export async function claimApp(
  db: Db,
  app: Pick<AppRow, "id" | "status">,
  to: AppStatus,
  operation: OperationLock,
  changes: AppChanges = {},
): Promise<AppRow | undefined> {
  if (to !== app.status) assertTransition(app.status, to);
  return db
    .updateTable("apps")
    .set({
      // A new operation makes the last one's message stale; a clone's source keeps its own.
      ...(to === app.status ? {} : { status_message: "" }),
      ...changes,
      status: to,
      current_operation_id: operation.id,
      current_operation: operation.kind,
      updated_at: sql<Date>`now()`,
    })
    .where("id", "=", app.id)
    .where("status", "=", app.status)
    .where("current_operation_id", "is", null)
    .returningAll()
    .executeTakeFirst();
}

/** What a settlement writes besides the app and its operation, and only if the app was settled. */
export interface SettlementRecords {
  /** Lines for the app's log, in order. */
  readonly log: readonly AppLogLine[];
  /** The public event about the operation's end (none: nobody outside is told). */
  readonly event?: OutboxRecord<unknown>;
}

/**
 * Ends the app's current operation `operationId`: the app moves to `to` and is free for the next
 * one, the operation is marked `end` if it still runs (one the reaper timed out keeps its status),
 * and `records` (the app's log lines, the public event) are written. Guarded by the operation id,
 * so a result for an operation that is no longer current changes nothing, the operation, lines and
 * event included (`undefined`). One statement (data-modifying CTEs, each run whether read or not),
 * so a result settles in one round trip; the caller holds the operation's lock (lockOperation), so
 * no new lock is taken.
 */
export async function settleApp(
  db: Db,
  app: Pick<AppRow, "id" | "status">,
  operationId: string,
  to: AppStatus,
  changes: AppChanges,
  end: OperationEnd,
  records: SettlementRecords,
): Promise<AppRow | undefined> {
  if (to !== app.status) assertTransition(app.status, to);
  const settledHere = sql`exists (select from settled)`;
  return db
    .with("settled", (qc) =>
      qc
        .updateTable("apps")
        .set({
          ...changes,
          status: to,
          current_operation_id: null,
          current_operation: null,
          updated_at: sql<Date>`now()`,
        })
        .where("id", "=", app.id)
        .where("current_operation_id", "=", operationId)
        .returningAll(),
    )
    .with("finished", (qc) =>
      qc
        .updateTable("app_operations")
        .set({ status: end.status, reason: end.reason ?? "", finished_at: sql<Date>`now()` })
        .where("id", "=", operationId)
        .where("status", "=", "running")
        .where(({ exists, selectFrom }) => exists(selectFrom("settled").select("settled.id"))),
    )
    .with("logged", () =>
      records.log.length > 0
        ? sideEffect(appendLogsStatement(app.id, records.log, settledHere))
        : sql`(select)`,
    )
    .with("recorded", () => recordedIf(records.event, settledHere))
    .selectFrom("settled")
    .selectAll()
    .executeTakeFirst();
}

/** Frees a clone's source from the clone's lock (its status never changed). */
export async function releaseSource(db: Db, sourceId: string, operationId: string): Promise<void> {
  await db
    .updateTable("apps")
    .set({ current_operation_id: null, current_operation: null, updated_at: sql<Date>`now()` })
    .where("id", "=", sourceId)
    .where("current_operation_id", "=", operationId)
    .execute();
}

/** VMIDs of the live apps on a host (containers Proximity already manages there). */
export async function liveVmidsOnHost(db: Db, hostId: string): Promise<Set<number>> {
  const rows = await db
    .selectFrom("apps")
    .select("vmid")
    .where("host_id", "=", hostId)
    .where("status", "<>", "gone")
    .where("vmid", "is not", null)
    .execute();
  return new Set(rows.map((r) => r.vmid!));
}

/** Apps on a host that still hold (or will hold) a container there. */
export async function countLiveAppsOnHost(db: Db, hostId: string): Promise<number> {
  const row = await db
    .selectFrom("apps")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("host_id", "=", hostId)
    .where("status", "<>", "gone")
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Escapes LIKE wildcards so a search for "a_b" matches that text only. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

/**
 * Records the container a timed-out deploy or clone made after all, on an app that is still in
 * `error` with no container and no operation, on the host and node it was placed on, and only when
 * no live app holds that container (all guarded in the update itself: no unique violation can
 * abort the caller's transaction).
 */
export async function recordLateContainer(
  db: Db,
  appId: string,
  container: { vmid: number; node: string; hostId: string; ipAddress: string },
): Promise<AppRow | undefined> {
  return db
    .updateTable("apps")
    .set({ vmid: container.vmid, ip_address: container.ipAddress || null, updated_at: sql<Date>`now()` })
    .where("id", "=", appId)
    .where("status", "=", "error")
    .where("vmid", "is", null)
    .where("current_operation_id", "is", null)
    .$if(Boolean(container.hostId), (qb) => qb.where("host_id", "=", container.hostId))
    .$if(Boolean(container.node), (qb) => qb.where("node", "=", container.node))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("apps as other")
            .select("other.id")
            .whereRef("other.host_id", "=", "apps.host_id")
            .where("other.vmid", "=", container.vmid)
            .where("other.status", "<>", "gone"),
        ),
      ),
    )
    .returningAll()
    .executeTakeFirst();
}

/** True when a live app holds container `vmid` of the host. */
export async function isContainerManaged(db: Db, hostId: string, vmid: number): Promise<boolean> {
  const row = await db
    .selectFrom("apps")
    .select("id")
    .where("host_id", "=", hostId)
    .where("vmid", "=", vmid)
    .where("status", "<>", "gone")
    .executeTakeFirst();
  return row !== undefined;
}
