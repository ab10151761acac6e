import type { AccessAuditTable } from "./access-audit.table.js";
import type { SecretVersionsTable } from "./secret-versions.table.js";
import type { SecretsTable } from "./secrets.table.js";

/** The tables of the `secrets` schema. */
export interface SecretsDatabase {
  secrets: SecretsTable;
  secret_versions: SecretVersionsTable;
  access_audit: AccessAuditTable;
}
