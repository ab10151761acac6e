import { type Kysely, type Migration, type MigrationResultSet, Migrator, NO_MIGRATIONS, sql } from "kysely";
import { assertIdentifier } from "./database.js";

/** A service's migrations by name; names sort in execution order (prefix with a number). */
export type MigrationSet = Readonly<Record<string, Migration>>;

export interface MigrateOptions {
  /** Schema owning the tables and the kysely bookkeeping tables. */
  readonly schema: string;
  readonly migrations: MigrationSet;
}

function migratorFor<DB>(db: Kysely<DB>, options: MigrateOptions): Migrator {
  return new Migrator({
    db: db as Kysely<unknown>,
    provider: { getMigrations: async () => ({ ...options.migrations }) },
    migrationTableSchema: options.schema,
  });
}

function check(result: MigrationResultSet): MigrationResultSet {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`migration ${failed} failed`, { cause: result.error });
  }
  return result;
}

/**
 * Creates the schema if needed and applies every pending migration. Safe to run from several
 * replicas at once: kysely takes a PostgreSQL advisory lock.
 */
export async function migrateToLatest<DB>(db: Kysely<DB>, options: MigrateOptions): Promise<string[]> {
  assertIdentifier(options.schema);
  // `create schema if not exists` is not safe under concurrency (two replicas can both try to
  // insert into pg_namespace), so replicas serialise on an advisory lock for this step.
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`proximity:schema:${options.schema}`}))`.execute(trx);
    await sql`create schema if not exists ${sql.id(options.schema)}`.execute(trx);
  });
  const result = check(await migratorFor(db, options).migrateToLatest());
  return (result.results ?? []).map((r) => r.migrationName);
}

/** Reverts the last applied migration (or all of them with `all: true`). */
export async function migrateDown<DB>(
  db: Kysely<DB>,
  options: MigrateOptions & { readonly all?: boolean },
): Promise<string[]> {
  const migrator = migratorFor(db, options);
  const result = check(options.all ? await migrator.migrateTo(NO_MIGRATIONS) : await migrator.migrateDown());
  return (result.results ?? []).map((r) => r.migrationName);
}
