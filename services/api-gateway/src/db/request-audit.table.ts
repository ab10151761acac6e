import type { ColumnType, Generated } from "kysely";

/** One row per unsafe request: who, what route, which outcome. Never bodies. */
export interface RequestAuditTable {
  id: Generated<number>;
  /** No foreign key: the trail outlives deleted accounts. */
  user_id: string | null;
  method: string;
  /** The route pattern (`/api/apps/:id`), not the URL, so no ids or query strings leak in. */
  route: string;
  status: number;
  request_id: string;
  at: ColumnType<Date, never, never>;
}
