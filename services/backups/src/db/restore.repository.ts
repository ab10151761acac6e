import { type Insertable, sql } from "kysely";
import type { BackupsDb } from "./database.js";
import type { RestoreRow, RestoresTable } from "./restores.table.js";

/** Records a running restore; a second running restore of the same app violates its unique index. */
export async function insertRestore(db: BackupsDb, values: Insertable<RestoresTable>): Promise<RestoreRow> {
  return db.insertInto("restores").values(values).returningAll().executeTakeFirstOrThrow();
}

/** running → succeeded | failed, once (a repeated result finds it finished: undefined). */
export async function finishRestore(
  db: BackupsDb,
  operationId: string,
  outcome: { ok: true } | { ok: false; reason: string },
): Promise<RestoreRow | undefined> {
  return db
    .updateTable("restores")
    .set({
      status: outcome.ok ? "succeeded" : "failed",
      error: outcome.ok ? "" : outcome.reason,
      completed_at: sql<Date>`now()`,
    })
    .where("id", "=", operationId)
    .where("status", "=", "running")
    .returningAll()
    .executeTakeFirst();
}
