/** One published port of one app: the primary key makes a port unique per host. */
export interface PortAllocationsTable {
  host_id: string;
  port: number;
  app_id: string;
}

/** Live apps per user and the user's own limit (null: the configured default applies). */
export interface UserQuotasTable {
  user_id: string;
  max_apps: number | null;
  live_apps: number;
}

/**
 * One row per host apps were placed on: placements lock it FOR SHARE, RetireHost FOR UPDATE, so a
 * host being removed and an app being placed on it are serialised by the database.
 */
export interface PlacementHostsTable {
  host_id: string;
  /** Set by RetireHost: no placement may use the host any more. */
  retired_at: Date | null;
}
