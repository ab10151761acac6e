import type { MigrationSet } from "@proximity/db";
import * as identity from "./0001_identity.js";
import * as loginThrottle from "./0002_login_throttle.js";
import * as sessionsTokensAudit from "./0003_sessions_tokens_audit.js";
import * as requestAuditRetention from "./0004_request_audit_retention.js";
import * as credentialEpoch from "./0005_credential_epoch.js";
import * as loginThrottleDecay from "./0006_login_throttle_decay.js";
import * as credentialChangeNotices from "./0007_credential_change_notices.js";
import * as sessionChangeNotices from "./0008_session_change_notices.js";

/** The gateway's migrations, in execution order. */
export const gatewayMigrations: MigrationSet = {
  "0001_identity": identity,
  "0002_login_throttle": loginThrottle,
  "0003_sessions_tokens_audit": sessionsTokensAudit,
  "0004_request_audit_retention": requestAuditRetention,
  "0005_credential_epoch": credentialEpoch,
  "0006_login_throttle_decay": loginThrottleDecay,
  "0007_credential_change_notices": credentialChangeNotices,
  "0008_session_change_notices": sessionChangeNotices,
};
