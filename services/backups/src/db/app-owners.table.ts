import type { Generated } from "kysely";

/** Who owns each app, learnt from the applications service's public app events. */
export interface AppOwnersTable {
  app_id: string;
  owner_id: string;
  /** Set by AppDeleted; the row stays (backups of deleted apps remain visible to admins). */
  deleted_at: Date | null;
  updated_at: Generated<Date>;
}
