import type { MigrationSet } from "@proximity/db";
import * as initial from "./0001_initial.js";
import * as hostChecks from "./0002_host_checks.js";
import * as tlsCaAndTofu from "./0003_tls_ca_and_tofu.js";
import * as backupStorage from "./0004_backup_storage.js";
import * as hostAudit from "./0005_host_audit.js";
import * as hostTrustAudit from "./0006_host_trust_audit.js";

/** Every migration of the hosts schema, in order. */
export const hostsMigrations: MigrationSet = {
  "0001_initial": initial,
  "0002_host_checks": hostChecks,
  "0003_tls_ca_and_tofu": tlsCaAndTofu,
  "0004_backup_storage": backupStorage,
  "0005_host_audit": hostAudit,
  "0006_host_trust_audit": hostTrustAudit,
};
