import { type Kysely, sql } from "kysely";
import type { Attention } from "../domain/reconciliation.js";
import type { AppWithAttention } from "./app-attention.table.js";
import type { NodePlacement } from "./app-metrics.repository.js";
import type { ApplicationsDatabase } from "./database.js";

type Db = Kysely<ApplicationsDatabase>;

/** Live apps with a container on the node, in one query (the rules decide which are settled). */
export async function liveAppsOnNode(db: Db, at: NodePlacement): Promise<AppWithAttention[]> {
  return db
    .selectFrom("apps")
    .selectAll()
    .where("host_id", "=", at.hostId)
    .where("node", "=", at.node)
    .where("status", "<>", "gone")
    .where("vmid", "is not", null)
    .execute();
}

/**
 * Records `next` (or clears the attention when undefined) on an app still as reconciliation read
 * it: same status, no operation started since, same attention. Otherwise nothing is written and
 * undefined is returned: the app changed meanwhile and the next observation judges it afresh.
 */
export async function setAttention(
  db: Db,
  app: AppWithAttention,
  next: Attention | undefined,
): Promise<AppWithAttention | undefined> {
  return db
    .updateTable("apps")
    .set({
      attention: next?.reason ?? "",
      attention_kind: next?.kind ?? null,
      attention_since: next ? sql<Date>`now()` : null,
    })
    .where("id", "=", app.id)
    .where("status", "=", app.status)
    .where("current_operation_id", "is", null)
    .where("attention", "=", app.attention)
    .where((eb) => eb("attention_kind", "is not distinct from", app.attention_kind))
    .returningAll()
    .executeTakeFirst();
}

/**
 * Clears an attention raised because an operation timed out: a later operation that succeeded
 * proves the app is in hand again. Reconciliation's own kinds are left to reconciliation. `app` is
 * the row as the settling transaction read it (no statement when it has no such attention): while
 * an operation runs nothing else raises one (the reaper raised it before this operation began,
 * reconciliation waits for apps without an operation).
 */
export async function clearTimedOutAttention(db: Db, app: AppWithAttention): Promise<void> {
  if (app.attention_kind !== "operation_timed_out") return;
  await db
    .updateTable("apps")
    .set({ attention: "", attention_kind: null, attention_since: null })
    .where("id", "=", app.id)
    .where("attention_kind", "=", "operation_timed_out")
    .execute();
}
