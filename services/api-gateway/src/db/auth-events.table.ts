import type { ColumnType, Generated } from "kysely";

/**
 * Authentication events, append-only (the code only inserts; a periodic job deletes rows past the
 * retention). No foreign keys: events outlive the accounts, sessions and tokens they name.
 */
export interface AuthEventsTable {
  id: Generated<number>;
  at: ColumnType<Date, never, never>;
  type: string;
  /** The account concerned (null for a failed login: only the name as typed is known). */
  user_id: string | null;
  /** The account name, as typed for logins. */
  username: string | null;
  /** Who did it, with the session or token used (null for logins). */
  actor_user_id: string | null;
  actor_session_id: string | null;
  actor_token_id: string | null;
  /** The session or token the event is about (ended, created, revoked). */
  subject_id: string | null;
  client_address: string | null;
  request_id: string | null;
  details: ColumnType<Record<string, unknown>, string, never>;
}
