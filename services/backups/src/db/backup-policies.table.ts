import type { Generated, Selectable } from "kysely";
import type { BackupMode, Compression } from "../domain/backup.js";

/** One backup policy per app (app ids come from the applications service). */
export interface BackupPoliciesTable {
  app_id: string;
  enabled: boolean;
  schedule: string;
  keep_last: number;
  keep_hourly: Generated<number>;
  keep_daily: Generated<number>;
  keep_weekly: Generated<number>;
  keep_monthly: Generated<number>;
  keep_yearly: Generated<number>;
  time_zone: Generated<string>;
  mode: Generated<BackupMode>;
  compression: Generated<Compression>;
  /** Null while disabled. */
  next_run_at: Date | null;
  last_run_at: Date | null;
  updated_at: Generated<Date>;
}

export type BackupPolicyRow = Selectable<BackupPoliciesTable>;
