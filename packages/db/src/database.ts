import type { Logger } from "@proximity/logger";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { createDatabaseNotifications, DATABASE_NOTIFICATIONS } from "./notifications.js";
import { unavailableMappingPool } from "./pool.js";
import { createStatementNames, DEFAULT_PREPARED_STATEMENTS } from "./prepared-statements.js";
import { databaseTypeParsers } from "./timestamptz.js";

export interface DatabaseOptions {
  /** postgres:// connection string. */
  readonly url: string;
  /** The service's own schema; set as search_path on every connection. */
  readonly schema: string;
  /** Pool size, default 10. */
  readonly poolMax?: number;
  /** Where errors of idle pooled connections are reported (server restart, failover). */
  readonly logger?: Logger;
  /** Deadlines of the pool and of every connection; each has a default (DEFAULT_DATABASE_TIMEOUTS). */
  readonly timeouts?: Partial<DatabaseTimeouts>;
  /**
   * Distinct statements prepared at most per connection (prepared-statements.ts), default
   * DEFAULT_PREPARED_STATEMENTS; 0 prepares none (behind a pooler that cannot keep them).
   */
  readonly preparedStatements?: number;
}

/**
 * Deadlines that keep a slow or stalled database from holding requests forever. Past any of them
 * the query fails with UnavailableError (UNAVAILABLE / HTTP 503), which callers may retry.
 */
export interface DatabaseTimeouts {
  /** Longest wait for a pooled connection (pool full or server not answering), ms. */
  readonly acquireMs: number;
  /** PostgreSQL `statement_timeout` of every connection: longest single statement, lock waits included, ms. */
  readonly statementMs: number;
  /** PostgreSQL `idle_in_transaction_session_timeout`: a transaction left open and idle this long is ended, ms. */
  readonly idleInTransactionMs: number;
}

/** Defaults of DatabaseTimeouts (also those of the DB_* variables in @proximity/config). */
export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = Object.freeze({
  acquireMs: 5_000,
  statementMs: 10_000,
  idleInTransactionMs: 60_000,
});

// int8 columns (counts, bigserial ids, byte sizes) come back as numbers: every value we store
// fits in 2^53, and strings leaking into domain code cause subtle comparison bugs.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * Creates a Kysely instance bound to one PostgreSQL schema of a shared database.
 * Each service owns exactly one schema; no service reads another's tables. Every connection gets
 * the statement and idle-in-transaction timeouts; waiting for a connection is bounded too.
 * @example
 * const db = createDatabase<AppsDatabase>({
 *   url: config.DATABASE_URL,
 *   schema: "applications",
 *   timeouts: { acquireMs: config.DB_ACQUIRE_TIMEOUT_MS, statementMs: config.DB_STATEMENT_TIMEOUT_MS },
 * });
 */
export function createDatabase<DB>(options: DatabaseOptions): Kysely<DB> {
  assertIdentifier(options.schema);
  const timeouts = { ...DEFAULT_DATABASE_TIMEOUTS, ...options.timeouts };
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    options: `-c search_path=${options.schema}`,
    application_name: options.schema,
    connectionTimeoutMillis: timeouts.acquireMs,
    // Sent as startup parameters, so they hold for every statement of the connection.
    statement_timeout: timeouts.statementMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    // timestamptz read without postgres-date's regular expressions (timestamptz.ts).
    types: databaseTypeParsers(),
  });
  // An idle client killed by the server emits "error" on the pool; unhandled, it would crash the
  // process. The pool drops that client by itself and opens a new one on the next query.
  pool.on("error", (err) => options.logger?.warn({ err }, "idle database connection lost"));
  // The server also ends connections that are checked out (idle_in_transaction_session_timeout,
  // a restart): pg then emits "error" on the client, which pg-pool only listens to while the
  // client is idle. Unheard, it would crash the process; the query in flight fails on its own.
  pool.on("connect", (client) => {
    client.on("error", (err) => options.logger?.warn({ err }, "database connection lost"));
  });
  const statements = createStatementNames(options.preparedStatements ?? DEFAULT_PREPARED_STATEMENTS);
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: unavailableMappingPool(pool, statements) }),
  });
  // LISTEN/NOTIFY on a connection of its own, found by whoever holds the Kysely instance.
  Object.defineProperty(db, DATABASE_NOTIFICATIONS, {
    value: createDatabaseNotifications({
      url: options.url,
      schema: options.schema,
      connectTimeoutMs: timeouts.acquireMs,
      logger: options.logger,
    }),
  });
  return db;
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
