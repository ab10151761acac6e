/**
 * Every service's PostgreSQL schema as the platform's setup prepares it (setupServiceDatabases):
 * its migrations, and the audit trails its runtime role may only read and append to. Used by
 * compose's init step and by the dev runner; tests/deploy checks that every audit table of every
 * schema is listed here.
 */
import type { ServiceSchemaPlan } from "../packages/db/src/index.js";
import { gatewayMigrations } from "../services/api-gateway/src/db/migrations/index.js";
import { applicationsMigrations } from "../services/applications/src/db/migrations/index.js";
import { backupsMigrations } from "../services/backups/src/db/migrations/index.js";
import { hostsMigrations } from "../services/hosts/src/db/migrations/index.js";
import { provisionerMigrations } from "../services/provisioner/src/db/migrations/index.js";
import { secretsMigrations } from "../services/secrets/src/db/migrations/index.js";

/** A service (its identity name, as in ServiceIdentities) and its schema (the DB_SCHEMA default). */
export interface ServiceSchema extends ServiceSchemaPlan {
  readonly service: string;
}

export const ServiceSchemas: readonly ServiceSchema[] = [
  {
    service: "api-gateway",
    schema: "gateway",
    migrations: gatewayMigrations,
    // Each kept at least 90 days: the retention guards of migrations 0003 (auth_events) and 0004
    // (request_audit) let the prunes delete older rows only.
    prunable: ["auth_events", "request_audit"],
  },
  { service: "applications", schema: "applications", migrations: applicationsMigrations },
  {
    service: "hosts",
    schema: "hosts",
    migrations: hostsMigrations,
    // host_trust_audit: its INSERTs are further limited to its triggers (migration 0006).
    appendOnly: ["host_audit", "host_trust_audit"],
  },
  { service: "backups", schema: "backups", migrations: backupsMigrations },
  { service: "secrets", schema: "secrets", migrations: secretsMigrations, appendOnly: ["access_audit"] },
  { service: "provisioner", schema: "provisioner", migrations: provisionerMigrations },
];
