import type { ColumnType, Selectable } from "kysely";

/** Bearer API tokens; `secret_hash` is the SHA-256 of the secret part, shown once at creation. */
export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  scopes: string[];
  secret_hash: string;
  created_at: ColumnType<Date, never, never>;
  expires_at: Date | null;
  revoked_at: ColumnType<Date | null, never, Date>;
  last_used_at: ColumnType<Date | null, never, Date>;
}

export type ApiTokenRow = Selectable<ApiTokensTable>;
