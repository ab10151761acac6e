import type { Generated } from "kysely";

/** Who owns each app, learnt from the applications service's public app events. */
export interface AppOwnersTable {
  app_id: string;
  owner_id: string;
  /** Set by AppDeleted; the row stays (backups of deleted apps remain visible to admins). */
  deleted_at: Date | null;
  /**
   * The app's host name and catalog item (migration 0005), kept after its deletion so that its
   * backups are still named after it; null while unknown (catalog_id: also for an adopted app of
   * no known catalog type).
   */
  hostname: string | null;
  catalog_id: string | null;
  updated_at: Generated<Date>;
}
