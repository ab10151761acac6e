import { type Kysely, type Migration, type MigrationResultSet, Migrator, NO_MIGRATIONS, sql } from "kysely";
import { assertIdentifier } from "./database.js";

/** A service's migrations by name; names sort in execution order (prefix with a number). */
export type MigrationSet = Readonly<Record<string, Migration>>;

export interface MigrateOptions {
  /** Schema owning the tables and the kysely bookkeeping tables. */
  readonly schema: string;
  readonly migrations: MigrationSet;
}

/** The kysely Migrator of a service's schema (bookkeeping tables in the schema itself). */
export function migratorFor<DB>(db: Kysely<DB>, options: MigrateOptions): Migrator {
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
  return withoutStatementTimeout(db, async (conn) => {
    // `create schema if not exists` is not safe under concurrency (two replicas can both try to
    // insert into pg_namespace), so replicas serialise on an advisory lock for this step.
    await conn.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`proximity:schema:${options.schema}`}))`.execute(trx);
      // Created only when missing: a schema made by setup belongs to its owner role, which may not
      // create schemas (and PostgreSQL checks that right even for `if not exists`).
      const present = await sql`select 1 from pg_namespace where nspname = ${options.schema}`.execute(trx);
      if (present.rows.length === 0) await sql`create schema ${sql.id(options.schema)}`.execute(trx);
    });
    const result = check(await migratorFor(conn, options).migrateToLatest());
    return (result.results ?? []).map((r) => r.migrationName);
  });
}

/**
 * Runs `work` on one connection without the pool's statement timeout: a migration may rewrite a
 * large table, and a replica waits on the migration lock while another migrates. The setting is
 * restored before the connection goes back to the pool.
 */
async function withoutStatementTimeout<DB, T>(
  db: Kysely<DB>,
  work: (conn: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`set statement_timeout = 0`.execute(conn);
    try {
      return await work(conn);
    } finally {
      await sql`reset statement_timeout`.execute(conn);
    }
  });
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
