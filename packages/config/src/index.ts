/**
 * Validated configuration from the environment. Each service declares one zod schema and calls
 * `loadConfig(schema, env)` from its `main.ts` (never at import time). Every bad or missing variable
 * is reported at once; the result is frozen.
 */
import { z } from "zod";

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
  env: Record<string, string | undefined> = process.env,
): Readonly<z.output<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join(".") || "(environment)";
      const missing = issue.code === "invalid_type" && env[String(issue.path[0])] === undefined;
      return missing ? `${name}: required but not set` : `${name}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  return Object.freeze(result.data) as Readonly<z.output<S>>;
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
  /** A SQL identifier used as a schema name. */
  sqlIdentifier: (fallback: string) =>
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lower-case SQL identifier")
      .default(fallback),
  /** A NATS URL list, comma separated. */
  natsServers: () => z.string().min(1).default("nats://127.0.0.1:4222"),
  /** The pino level. */
  logLevel: () => z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** A positive duration in milliseconds. */
  millis: (fallback: number) => z.coerce.number().int().positive().default(fallback),
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
  /** Prefix of JetStream stream names and subjects. */
  BUS_NAMESPACE: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,30}$/, "must be a lower-case identifier")
    .default("proximity"),
};
