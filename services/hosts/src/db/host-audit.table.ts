import type { Generated, Selectable } from "kysely";

/** One change of a host, as the audit trail keeps it (append-only; never credentials). */
export interface HostAuditTable {
  id: Generated<string>;
  at: Generated<Date>;
  host_id: string;
  /** The host's name at the time (the trail outlives the host). */
  host_name: string;
  action: HostAuditAction;
  /** The end user (id) who made the change, or `system:bootstrap` for BOOTSTRAP_HOST_JSON. */
  actor: string;
  /** The W3C trace id of the request that made the change. */
  trace_id: string;
  /** The changed fields before (null for a creation) and after (null for a deletion). */
  before: unknown;
  after: unknown;
  /** Which stored credentials the change replaced (`api_secret`, `ssh`), never their values. */
  credentials_replaced: Generated<string[]>;
}

export type HostAuditAction = "created" | "updated" | "deleted";

export type HostAuditRow = Selectable<HostAuditTable>;
