import { InvalidTransitionError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import { type Kysely, sql, type Updateable } from "kysely";
import { type AppStatus, assertTransition, INITIAL_STATUSES } from "../domain/app-status.js";
import type { AppRow, AppsTable, NewAppRow } from "./apps.table.js";
import type { ApplicationsDatabase } from "./database.js";

/** Functions take the database or a transaction: the caller decides the unit of work. */
type Db = Kysely<ApplicationsDatabase>;

/** Fields a status change may set along with the status. */
export type AppChanges = Pick<
  Updateable<AppsTable>,
  "status_message" | "vmid" | "host_id" | "node" | "ip_address" | "current_operation_id"
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

/**
 * Moves an app from its current status to `to`, refusing invalid transitions (InvalidTransitionError).
 * The update is guarded by the status the caller read, so of two concurrent changes only one
 * wins; the loser gets `undefined` and must re-read before deciding again.
 */
export async function transitionApp(
  db: Db,
  app: Pick<AppRow, "id" | "status">,
  to: AppStatus,
  changes: AppChanges = {},
): Promise<AppRow | undefined> {
  assertTransition(app.status, to);
  return db
    .updateTable("apps")
    .set({ ...changes, status: to, updated_at: sql<Date>`now()` })
    .where("id", "=", app.id)
    .where("status", "=", app.status)
    .returningAll()
    .executeTakeFirst();
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
