import { InvalidTransitionError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import { type Kysely, sql, type Updateable } from "kysely";
import { type AppStatus, assertTransition, INITIAL_STATUSES } from "../domain/app-status.js";
import type { OperationKind } from "../domain/operations.js";
import type { AppRow, AppsTable, NewAppRow } from "./apps.table.js";
import type { ApplicationsDatabase } from "./database.js";

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
  readonly page: number;
  readonly perPage: number;
}

/** Inserts a new app; it must start in an initial status (an app is never created already running). */
export async function insertApp(db: Db, row: NewAppRow): Promise<AppRow> {
  if (!INITIAL_STATUSES.includes(row.status)) throw new InvalidTransitionError("app", "new", row.status);
  return db.insertInto("apps").values(row).returningAll().executeTakeFirstOrThrow();
}

/** Any app by id, gone ones included (operation results may arrive late). */
export async function findAppById(db: Db, id: string): Promise<AppRow | undefined> {
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
  return db
    .selectFrom("apps")
    .where("status", "<>", "gone")
    .$if(!viewer.isAdmin, (qb) => qb.where("owner_id", "=", viewer.id));
}

export async function findVisibleApp(db: Db, id: string, viewer: EndUser): Promise<AppRow | undefined> {
  return visibleApps(db, viewer).selectAll().where("id", "=", id).executeTakeFirst();
}

/** One page of visible apps, newest first, and the number of all matching apps. */
export async function listVisibleApps(
  db: Db,
  viewer: EndUser,
  filter: AppListFilter,
): Promise<{ rows: AppRow[]; total: number }> {
  const matching = visibleApps(db, viewer)
    .$if(filter.status !== undefined, (qb) => qb.where("status", "=", filter.status!))
    .$if(Boolean(filter.search), (qb) => qb.where("hostname", "ilike", `%${escapeLike(filter.search!)}%`));
  const [rows, count] = await Promise.all([
    matching
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("id")
      .limit(filter.perPage)
      .offset((filter.page - 1) * filter.perPage)
      .execute(),
    matching.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
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

/**
 * Ends the app's current operation `operationId`: the app moves to `to` and is free for the next
 * one. Guarded by the operation id, so a result for an operation that is no longer current
 * changes nothing (`undefined`).
 */
export async function settleApp(
  db: Db,
  app: Pick<AppRow, "id" | "status">,
  operationId: string,
  to: AppStatus,
  changes: AppChanges = {},
): Promise<AppRow | undefined> {
  if (to !== app.status) assertTransition(app.status, to);
  return db
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
    .returningAll()
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
