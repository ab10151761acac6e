import type { Kysely } from "kysely";
import { assertIdentifier } from "./database.js";
import { type MigrateOptions, migrateToLatest, migratorFor } from "./migrations.js";

/** A service started against a schema that lacks some of its migrations. */
export class SchemaOutdatedError extends Error {
  readonly pending: readonly string[];

  constructor(schema: string, pending: string[]) {
    super(
      `schema ${schema} lacks ${pending.length} migration(s) of this version (${pending.join(", ")}): ` +
        "run the setup step (it migrates as the schema's owner) before starting the service, " +
        "or set MIGRATE_ON_START=true where the service may migrate itself",
    );
    this.name = "SchemaOutdatedError";
    this.pending = pending;
  }
}

/**
 * Throws SchemaOutdatedError unless every migration of `options` is applied. Read-only: it needs
 * nothing more than the service's runtime role (SELECT on the kysely bookkeeping table).
 * Migrations applied that this version does not know (a newer version migrated) are accepted.
 */
export async function assertSchemaCurrent<DB>(db: Kysely<DB>, options: MigrateOptions): Promise<void> {
  assertIdentifier(options.schema);
  const migrations = await migratorFor(db, options).getMigrations();
  const pending = migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
  if (pending.length > 0) throw new SchemaOutdatedError(options.schema, pending);
}

/**
 * What a service does with its schema at start: migrate it (`migrate: true`, development and
 * tests, connected as a role that may) or only check it is current (`migrate: false`,
 * production, where the runtime role may not change the schema and the setup step migrated).
 * Returns the migrations applied.
 * @example
 * await prepareSchema(db, { schema: config.DB_SCHEMA, migrations, migrate: config.MIGRATE_ON_START });
 */
export async function prepareSchema<DB>(
  db: Kysely<DB>,
  options: MigrateOptions & { readonly migrate: boolean },
): Promise<string[]> {
  if (options.migrate) return migrateToLatest(db, options);
  await assertSchemaCurrent(db, options);
  return [];
}
