/**
 * PostgreSQL access with kysely + pg: one schema per service, static migrations with up and down.
 */
export { createDatabase, isUniqueViolation, isForeignKeyViolation, assertIdentifier } from "./database.js";
export type { DatabaseOptions } from "./database.js";
export { migrateToLatest, migrateDown } from "./migrations.js";
export type { MigrationSet, MigrateOptions } from "./migrations.js";
