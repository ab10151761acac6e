import { type Kysely, sql } from "kysely";
import type { OperationKind } from "../domain/operations.js";
import type { AppOperationRow, OperationStatus } from "./app-operations.table.js";
import type { ApplicationsDatabase } from "./database.js";

type Db = Kysely<ApplicationsDatabase>;

export interface NewOperation {
  readonly id: string;
  readonly appId: string;
  readonly sourceAppId?: string;
  readonly kind: OperationKind;
  readonly requestedBy: string;
  /** From now, in milliseconds. */
  readonly deadlineMs: number;
  readonly options?: Record<string, unknown>;
}

export async function insertOperation(db: Db, op: NewOperation): Promise<AppOperationRow> {
  return db
    .insertInto("app_operations")
    .values({
      id: op.id,
      app_id: op.appId,
      source_app_id: op.sourceAppId ?? null,
      kind: op.kind,
      requested_by: op.requestedBy,
      options: JSON.stringify(op.options ?? {}),
      deadline_at: sql<Date>`now() + make_interval(secs => ${op.deadlineMs / 1000})`,
      finished_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The operation, locked until the transaction ends: a provisioner result and the reaper both lock
 * it first, so whichever comes second sees it finished and leaves it alone.
 */
export async function lockOperation(db: Db, id: string): Promise<AppOperationRow | undefined> {
  return db.selectFrom("app_operations").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function findOperation(db: Db, id: string): Promise<AppOperationRow | undefined> {
  return db.selectFrom("app_operations").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Marks a running operation finished; false when it was no longer running. */
export async function finishOperation(
  db: Db,
  id: string,
  status: Exclude<OperationStatus, "running">,
  reason = "",
): Promise<boolean> {
  const result = await db
    .updateTable("app_operations")
    .set({ status, reason, finished_at: sql<Date>`now()` })
    .where("id", "=", id)
    .where("status", "=", "running")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Claims up to `limit` running operations past their deadline and marks them timed out, in the
 * caller's transaction. SKIP LOCKED lets several reapers (one per replica) run at once: each
 * operation is taken by exactly one of them, and one a result handler holds is left for later.
 */
export async function timeOutExpiredOperations(db: Db, limit: number): Promise<AppOperationRow[]> {
  const rows = await sql<AppOperationRow>`
    update app_operations o set status = 'timed_out', finished_at = now(),
      reason = 'did not finish before its deadline'
    from (select id from app_operations where status = 'running' and deadline_at < now()
          order by deadline_at limit ${limit} for update skip locked) expired
    where o.id = expired.id
    returning o.*`.execute(db);
  return rows.rows;
}

/**
 * How the app was made when it was a copy: by a clone of another app, or by a restore of a backup
 * into a new app (its first operation either way); undefined for deployed and adopted apps.
 */
export async function copiedBy(db: Db, appId: string): Promise<"clone" | "restore" | undefined> {
  const row = await db
    .selectFrom("app_operations")
    .select("kind")
    .where("app_id", "=", appId)
    .where((eb) =>
      eb.or([
        eb("kind", "=", "clone"),
        eb.and([eb("kind", "=", "restore"), eb(sql`options->>'newApp'`, "=", "true")]),
      ]),
    )
    .executeTakeFirst();
  return row?.kind === "clone" || row?.kind === "restore" ? row.kind : undefined;
}

/** Kind of the app's newest operation other than `except` (the one being requested), if any. */
export async function lastFinishedKind(
  db: Db,
  appId: string,
  except: string,
): Promise<OperationKind | undefined> {
  const row = await db
    .selectFrom("app_operations")
    .select("kind")
    .where("app_id", "=", appId)
    .where("id", "<>", except)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.kind;
}
