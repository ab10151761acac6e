/**
 * PostgreSQL access with kysely + pg: one schema per service, static migrations with up and down,
 * and the setup that gives each service its own roles (an owner that migrates, a runtime role with
 * rights on its own tables only, audit trails append-only).
 */

export type { AppendOnlyGuardOptions } from "./append-only-guard.js";
export { createAppendOnlyGuard, dropAppendOnlyGuard } from "./append-only-guard.js";
export type { DatabaseOptions, DatabaseTimeouts } from "./database.js";
export {
  assertIdentifier,
  createDatabase,
  DEFAULT_DATABASE_TIMEOUTS,
  isForeignKeyViolation,
  isUniqueViolation,
} from "./database.js";
export type { ListElementType } from "./list-parameter.js";
export { isAnyOf, isNoneOf } from "./list-parameter.js";
export type { MigrateOptions, MigrationSet } from "./migrations.js";
export { migrateDown, migrateToLatest } from "./migrations.js";
export type { DatabaseNotifications } from "./notifications.js";
export { DATABASE_NOTIFICATIONS, notificationsOf } from "./notifications.js";
export type { RuntimeAccessRules } from "./runtime-grants.js";
export { grantRuntimeAccess } from "./runtime-grants.js";
export { assertSchemaCurrent, prepareSchema, SchemaOutdatedError } from "./schema-version.js";
export { scramSha256Keys, scramSha256Verifier } from "./scram.js";
export type {
  ServiceDatabaseAccess,
  ServiceSchemaPlan,
  SetupServiceDatabasesOptions,
} from "./service-database-setup.js";
export { setupServiceDatabases, withCredentials } from "./service-database-setup.js";
export type { ServiceRoleNames } from "./service-roles.js";
export { generateRolePassword, serviceRoleNames, setupServiceRoles } from "./service-roles.js";
export type { NoColumns } from "./side-effect-cte.js";
export { sideEffect } from "./side-effect-cte.js";
export { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "./unavailable.js";
