import type { ColumnType, Generated, Selectable } from "kysely";

/** Login sessions. Only SHA-256 hashes of the session id and its CSRF token are stored. */
export interface SessionsTable {
  id_hash: string;
  /** Public id: how the owner lists and ends a session, and the actor in audit rows. Never the secret. */
  id: Generated<string>;
  user_id: string;
  csrf_hash: string;
  /** The user's credential epoch at login (see UsersTable). */
  credential_epoch: number;
  /** Where the login came from (shown to the owner in their session list). */
  client_address: string | null;
  user_agent: string | null;
  created_at: ColumnType<Date, never, never>;
  last_seen_at: ColumnType<Date, never, Date>;
  expires_at: Date;
}

export type SessionRow = Selectable<SessionsTable>;
