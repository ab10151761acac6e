import type { ColumnType, Generated, Selectable } from "kysely";
import type { OperationKind } from "../domain/operations.js";

export type OperationStatus = "running" | "succeeded" | "failed" | "timed_out";

/** History of what was asked of each app, and the deadline the reaper holds running operations to. */
export interface AppOperationsTable {
  id: string;
  /** The app the operation settles (for a clone: the new app). */
  app_id: string;
  /** A clone's source, locked (current_operation_id) while it is copied. */
  source_app_id: string | null;
  kind: OperationKind;
  status: Generated<OperationStatus>;
  /** User id of the requester (the admin for adoptions). */
  requested_by: string;
  /** Request options kept for the result (delete: destroy_container, delete_backups). */
  options: ColumnType<Record<string, unknown>, string | undefined, string>;
  deadline_at: ColumnType<Date, Date | string, Date | string>;
  created_at: Generated<Date>;
  finished_at: Date | null;
  /** Failure or timeout explanation; "" while running and on success. */
  reason: Generated<string>;
}

export type AppOperationRow = Selectable<AppOperationsTable>;

/** Constraint names, matched when a unique violation is mapped to a client error. */
export const OperationConstraints = {
  /** Archive operations carry the backups service's ids: one used before is refused here. */
  primaryKey: "app_operations_pkey",
} as const;
