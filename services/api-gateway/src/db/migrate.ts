import { isUniqueViolation, migrateToLatest } from "@proximity/db";
import type { GatewayDb } from "./database.js";
import { gatewayMigrations } from "./migrations/index.js";

/**
 * Applies the gateway's migrations. @proximity/db runs `create schema if not exists` before it
 * takes kysely's migration lock, so two replicas starting together can collide on the schema
 * row (unique violation on pg_namespace). The loser retries once: by then the schema exists and
 * the migration lock serialises the rest.
 */
export async function migrateGatewaySchema(db: GatewayDb, schema: string): Promise<void> {
  const options = { schema, migrations: gatewayMigrations };
  try {
    await migrateToLatest(db, options);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    await migrateToLatest(db, options);
  }
}
