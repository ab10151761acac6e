import type { ColumnType, Generated } from "kysely";

/** Failed logins, kept for the throttle window; shared by every gateway replica. */
export interface LoginAttemptsTable {
  id: Generated<number>;
  /** lower(username) as typed, whether or not such an account exists. */
  username_key: string;
  client_address: string;
  attempted_at: ColumnType<Date, never, never>;
}
