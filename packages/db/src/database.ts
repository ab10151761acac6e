import type { Logger } from "@proximity/logger";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";

export interface DatabaseOptions {
  /** postgres:// connection string. */
  readonly url: string;
  /** The service's own schema; set as search_path on every connection. */
  readonly schema: string;
  /** Pool size, default 10. */
  readonly poolMax?: number;
  /** Where errors of idle pooled connections are reported (server restart, failover). */
  readonly logger?: Logger;
}

// int8 columns (counts, bigserial ids, byte sizes) come back as numbers: every value we store
// fits in 2^53, and strings leaking into domain code cause subtle comparison bugs.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * Creates a Kysely instance bound to one PostgreSQL schema of a shared database.
 * Each service owns exactly one schema; no service reads another's tables.
 * @example
 * const db = createDatabase<AppsDatabase>({ url: config.DATABASE_URL, schema: "applications" });
 */
export function createDatabase<DB>(options: DatabaseOptions): Kysely<DB> {
  assertIdentifier(options.schema);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    options: `-c search_path=${options.schema}`,
    application_name: options.schema,
  });
  // An idle client killed by the server emits "error" on the pool; unhandled, it would crash the
  // process. The pool drops that client by itself and opens a new one on the next query.
  pool.on("error", (err) => options.logger?.warn({ err }, "idle database connection lost"));
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

/** Schema names are interpolated into SQL, so only plain identifiers are accepted. */
export function assertIdentifier(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid SQL identifier: ${name}`);
}

/** True when a pg error is a unique-constraint violation (optionally on a given constraint). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string } | null;
  return e?.code === "23505" && (constraint === undefined || e.constraint === constraint);
}

/** True when a pg error is a foreign-key violation. */
export function isForeignKeyViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === "23503";
}
