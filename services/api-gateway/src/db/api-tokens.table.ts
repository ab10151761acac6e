import type { ColumnType, Selectable } from "kysely";

/** Bearer API tokens; `secret_hash` is the SHA-256 of the secret part, shown once at creation. */
export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  scopes: string[];
  secret_hash: string;
  /** The user's credential epoch when the token was made (see UsersTable). */
  credential_epoch: number;
  created_at: ColumnType<Date, never, never>;
  /** Every token expires (a default lifetime when none is asked for). */
  expires_at: Date;
  revoked_at: ColumnType<Date | null, never, Date>;
  last_used_at: ColumnType<Date | null, never, Date>;
  /** The session (public id) the token was created from, if any. */
  created_by_session_id: string | null;
  /** The token that created this one, if any; revoking it revokes this one too. */
  created_by_token_id: string | null;
}

export type ApiTokenRow = Selectable<ApiTokensTable>;
