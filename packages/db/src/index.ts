/**
 * PostgreSQL access with kysely + pg: one schema per service, static migrations with up and down.
 */

export type { DatabaseOptions } from "./database.js";
export { assertIdentifier, createDatabase, isForeignKeyViolation, isUniqueViolation } from "./database.js";
export type { MigrateOptions, MigrationSet } from "./migrations.js";
export { migrateDown, migrateToLatest } from "./migrations.js";
