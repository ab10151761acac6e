import type { ColumnType, Generated, Selectable } from "kysely";

export type RestoreStatus = "running" | "succeeded" | "failed";

/** One restore of an archive, onto its own app or into a new one; id = the restore operation's id. */
export interface RestoresTable {
  id: string;
  backup_id: string;
  source_app_id: string;
  target_app_id: string;
  new_app: boolean;
  requested_by: string;
  status: RestoreStatus;
  error: Generated<string>;
  created_at: ColumnType<Date, Date | undefined, never>;
  completed_at: Date | null;
}

export type RestoreRow = Selectable<RestoresTable>;
