import type { MigrationSet } from "@proximity/db";
import * as identity from "./0001_identity.js";
import * as loginThrottle from "./0002_login_throttle.js";
import * as sessionsTokensAudit from "./0003_sessions_tokens_audit.js";

/** The gateway's migrations, in execution order. */
export const gatewayMigrations: MigrationSet = {
  "0001_identity": identity,
  "0002_login_throttle": loginThrottle,
  "0003_sessions_tokens_audit": sessionsTokensAudit,
};
