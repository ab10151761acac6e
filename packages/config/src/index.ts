/**
 * Validated configuration from the environment. Each service declares one zod schema and calls
 * `loadConfig(schema, env)` from its `main.ts` (never at import time). Every bad or missing variable
 * is reported at once; the result is frozen. Any variable may come from a file instead
 * (`<NAME>_FILE`, as with Docker secrets); secrets (`env.secret`) never have a default, and a
 * known development value is refused outside development mode.
 */
import { z } from "zod";
import { resolveFileValues } from "./file-values.js";
import { knownSecretProblems, type SecretOptions, secret } from "./secret.js";

export type { SecretOptions };

/** Raised when the environment does not satisfy a service's schema. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/**
 * Parses `env` with `schema`; throws ConfigError naming every variable at fault.
 * @example
 * const config = loadConfig(applicationsConfigSchema, process.env);
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined> = process.env,
): Readonly<z.output<S>> {
  const shape = shapeOf(schema);
  const { env, problems } = resolveFileValues(Object.keys(shape), source);
  const result = schema.safeParse(env);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = issue.path.join(".") || "(environment)";
      const missing = issue.code === "invalid_type" && env[String(issue.path[0])] === undefined;
      problems.push(missing ? `${name}: required but not set` : `${name}: ${issue.message}`);
    }
  } else {
    problems.push(...knownSecretProblems(shape, result.data as Record<string, unknown>));
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return Object.freeze(result.data) as Readonly<z.output<S>>;
}

/** The variables of an object schema (refinements keep the shape); none for other schemas. */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  return schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
}

/** Prints a ConfigError plainly and exits with status 78 (EX_CONFIG); rethrows anything else. */
export function exitOnConfigError(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
  throw err;
}

/** Reusable variable schemas. */
export const env = {
  /** A TCP port (0 = pick a free one). */
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  /** "true"/"false"/"1"/"0". */
  bool: (fallback: boolean) =>
    z
      .enum(["true", "false", "1", "0"])
      .default(fallback ? "true" : "false")
      .transform((v) => v === "true" || v === "1"),
  /** A postgres:// URL. */
  postgresUrl: () => z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL"),
  /**
   * A SQL identifier used as a schema name: 48 characters at most, so that the notification
   * channels named after it (`<schema>_outbox`, `<schema>_credentials`) fit PostgreSQL's 63.
   */
  sqlIdentifier: (fallback: string) =>
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,47}$/, "must be a lower-case SQL identifier of at most 48 characters")
      .default(fallback),
  /** A NATS URL list, comma separated. */
  natsServers: () => z.string().min(1).default("nats://127.0.0.1:4222"),
  /** The pino level. */
  logLevel: () => z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** A positive duration in milliseconds. */
  millis: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  /**
   * A secret: required, no default; a known development value is refused unless
   * PROXIMITY_MODE=development (see SecretOptions).
   */
  secret,
};

/**
 * Variables every backend service shares: logging, gRPC listen port, service identity keys,
 * and the bus namespace (prefix of stream names and subjects, so tests can isolate themselves).
 */
export const baseServiceEnv = {
  LOG_LEVEL: env.logLevel(),
  /**
   * `development` relaxes what only a developer's machine may do (plain-HTTP Proxmox hosts, known
   * development secrets); anything else is production, the default.
   */
  PROXIMITY_MODE: z.enum(["production", "development"]).default("production"),
  /** The service's own bundle directory (@proximity/identity: keys, certificate, NATS seed). */
  SERVICE_KEYS_DIR: z.string().min(1),
  /** Address the gRPC server binds to: the service's own interface, never every address by default. */
  GRPC_HOST: z.string().min(1).default("127.0.0.1"),
  /** Address the metrics server (`GET /metrics`, Prometheus text) binds to, like GRPC_HOST. */
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  /** Port of the metrics server; 0 (the default) serves no metrics. Never the public API's port. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /**
   * Apply pending migrations at start (development, tests). With `false` (production: the setup
   * step migrates as the schema's owner role) the service only checks that its schema is current
   * and refuses to start otherwise.
   */
  MIGRATE_ON_START: env.bool(true),
  /** Longest wait for a pooled PostgreSQL connection before the call fails as unavailable (503). */
  DB_ACQUIRE_TIMEOUT_MS: env.millis(5_000),
  /** PostgreSQL statement_timeout of every connection (lock waits included); migrations are exempt. */
  DB_STATEMENT_TIMEOUT_MS: env.millis(10_000),
  /** PostgreSQL idle_in_transaction_session_timeout: a transaction left idle this long is ended. */
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: env.millis(60_000),
  /**
   * Distinct statements each PostgreSQL connection keeps prepared (parsed and planned once, not at
   * every execution); 0 prepares none, for a connection pooler that cannot keep them (PgBouncer in
   * transaction mode before 1.21).
   */
  DB_PREPARED_STATEMENTS: z.coerce.number().int().min(0).max(10_000).default(256),
  /** Prefix of JetStream stream names and subjects. */
  BUS_NAMESPACE: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,30}$/, "must be a lower-case identifier")
    .default("proximity"),
  /**
   * Declare the JetStream streams and KV buckets the service uses (create or update its own, create
   * the ones it reads if absent). Only for a server without authentication (tests, a development
   * server): with authentication the setup step declares them all (compose's bus-init,
   * ./scripts/dev.sh) and a service has no right to. Default false: the service only checks that
   * they exist.
   */
  BUS_DECLARE_STREAMS: env.bool(false),
  /**
   * Bytes the service's own JetStream stream may hold (1 GiB) when it declares it itself
   * (BUS_DECLARE_STREAMS); otherwise the setup step sizes it. Beyond it the oldest events go.
   */
  BUS_STREAM_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(1024 * 1024 * 1024),
  /** Largest event its stream accepts (1 MiB, NATS's default max_payload), when it declares it itself. */
  BUS_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
};

/** The DB_* deadlines of a parsed configuration, in the shape `createDatabase({ timeouts })` takes. */
export interface DatabaseTimeoutSettings {
  readonly DB_ACQUIRE_TIMEOUT_MS: number;
  readonly DB_STATEMENT_TIMEOUT_MS: number;
  readonly DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: number;
}

/**
 * @example
 * const db = createDatabase({ url: config.DATABASE_URL, schema, timeouts: databaseTimeouts(config) });
 */
export function databaseTimeouts(config: DatabaseTimeoutSettings): {
  acquireMs: number;
  statementMs: number;
  idleInTransactionMs: number;
} {
  return {
    acquireMs: config.DB_ACQUIRE_TIMEOUT_MS,
    statementMs: config.DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionMs: config.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}
