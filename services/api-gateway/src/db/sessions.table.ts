import type { ColumnType, Selectable } from "kysely";

/** Login sessions. Only SHA-256 hashes of the session id and its CSRF token are stored. */
export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_hash: string;
  created_at: ColumnType<Date, never, never>;
  last_seen_at: ColumnType<Date, never, Date>;
  expires_at: Date;
}

export type SessionRow = Selectable<SessionsTable>;
