import type { Kysely } from "kysely";
import type { ApiTokensTable } from "./api-tokens.table.js";
import type { AuthEventsTable } from "./auth-events.table.js";
import type { LoginKnownSourcesTable, LoginThrottleTable } from "./login-throttle.table.js";
import type { RequestAuditTable } from "./request-audit.table.js";
import type { SessionsTable } from "./sessions.table.js";
import type { UsersTable } from "./users.table.js";

/** Tables of the `gateway` schema. */
export interface GatewayTables {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_throttle: LoginThrottleTable;
  login_known_sources: LoginKnownSourcesTable;
  request_audit: RequestAuditTable;
  auth_events: AuthEventsTable;
}

export type GatewayDb = Kysely<GatewayTables>;
