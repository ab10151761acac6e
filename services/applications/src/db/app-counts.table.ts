import type { ColumnType } from "kysely";

/**
 * Apps per (owner, status), kept by triggers on `apps` in the changing transaction (migration
 * 0005): read-only for the code, which sums it for a list's `total`.
 */
export interface AppCountsTable {
  owner_id: ColumnType<string, never, never>;
  status: ColumnType<string, never, never>;
  /** bigint: pg returns it as a string. */
  n: ColumnType<string, never, never>;
}
