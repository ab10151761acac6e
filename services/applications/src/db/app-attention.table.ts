import type { Generated, Selectable } from "kysely";
import type { AttentionKind } from "../domain/reconciliation.js";
import type { AppRow } from "./apps.table.js";

/**
 * Columns of `apps` added by migration 0003: what needs the owner's attention about the app.
 * Kept apart from AppsTable so that observation and life-cycle code change separately;
 * database.ts joins them into the `apps` table type.
 */
export interface AppAttentionColumns {
  /** Client-safe sentence ("" = nothing needs attention). */
  attention: Generated<string>;
  /** What raised it (null when nothing is raised, or a writer did not say). */
  attention_kind: AttentionKind | null;
  attention_since: Date | null;
}

/** An app row with its attention, as `selectAll()` on `apps` returns it. */
export type AppWithAttention = AppRow & Selectable<AppAttentionColumns>;
