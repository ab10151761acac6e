import type { Generated } from "kysely";

/** One backup policy per app (app ids come from the applications service). */
export interface BackupPoliciesTable {
  app_id: string;
  enabled: boolean;
  schedule: string;
  keep_last: number;
  updated_at: Generated<Date>;
}
