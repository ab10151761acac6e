import type { Kysely } from "kysely";
import type { ApiTokensTable } from "./api-tokens.table.js";
import type { LoginAttemptsTable } from "./login-attempts.table.js";
import type { RequestAuditTable } from "./request-audit.table.js";
import type { SessionsTable } from "./sessions.table.js";
import type { UsersTable } from "./users.table.js";

/** Tables of the `gateway` schema. */
export interface GatewayTables {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_attempts: LoginAttemptsTable;
  request_audit: RequestAuditTable;
}

export type GatewayDb = Kysely<GatewayTables>;
