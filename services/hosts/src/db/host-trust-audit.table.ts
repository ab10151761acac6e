import type { Generated, Selectable } from "kysely";

/**
 * One change of a host's or node's trust-relevant columns, written by the database's triggers
 * (migration 0006) whoever made it: the service, or direct SQL. Read-only for everyone.
 */
export interface HostTrustAuditTable {
  id: Generated<string>;
  at: Generated<Date>;
  /** PostgreSQL transaction id: the rows of one change share it. */
  tx_id: string;
  /** The login role that made the change (`session_user`). */
  db_user: string;
  /** The actor the service declared for the transaction; null when none was (not the service's code). */
  actor: string | null;
  trace_id: string | null;
  table_name: "hosts" | "nodes";
  operation: "INSERT" | "UPDATE" | "DELETE";
  host_id: string;
  /** For a `nodes` row: the node's name. */
  node_name: string | null;
  /** The row's trust-relevant columns before (null for an INSERT) and after (null for a DELETE). */
  before: unknown;
  after: unknown;
}

export type HostTrustAuditRow = Selectable<HostTrustAuditTable>;
