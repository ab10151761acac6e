import type { ColumnType, Generated } from "kysely";
import type { FieldChange } from "../domain/field-diff.js";

/**
 * One row per unsafe request: who (user and the session or token used), what route and which
 * targets, which outcome, and for admin changes which fields changed. Never bodies.
 */
export interface RequestAuditTable {
  id: Generated<number>;
  /** No foreign keys: the trail outlives deleted accounts, sessions and tokens. */
  user_id: string | null;
  session_id: string | null;
  token_id: string | null;
  client_address: string | null;
  method: string;
  /** The route pattern (`/api/users/:id`); the concrete ids are in `target_ids`. */
  route: string;
  /** The route's path parameters (`{"id": "…"}`), never the query string. */
  target_ids: ColumnType<Record<string, string>, string, never>;
  status: number;
  request_id: string;
  /** Field diff of an admin change (secret fields by name only); null otherwise. */
  changes: ColumnType<FieldChange[] | null, string | null, never>;
  at: ColumnType<Date, never, never>;
}
