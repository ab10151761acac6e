import { baseServiceEnv, env, loadConfig } from "@proximity/config";
import { z } from "zod";

/** Environment of the api-gateway, the only public door of Proximity. */
export const gatewayConfigSchema = z.object({
  LOG_LEVEL: baseServiceEnv.LOG_LEVEL,
  /** Directory with `api-gateway.key` and the `.pub` key of every service it calls. */
  SERVICE_KEYS_DIR: baseServiceEnv.SERVICE_KEYS_DIR,
  DATABASE_URL: env.postgresUrl(),
  /** The gateway's own PostgreSQL schema (users, sessions, API tokens, throttling, audit). */
  DB_SCHEMA: env.sqlIdentifier("gateway"),
  HTTP_HOST: z.string().min(1).default("0.0.0.0"),
  /** 0 picks a free port (tests). */
  HTTP_PORT: env.port(8080),
  APPLICATIONS_GRPC_ADDR: z.string().min(1).default("127.0.0.1:50051"),
  HOSTS_GRPC_ADDR: z.string().min(1).default("127.0.0.1:50052"),
  BACKUPS_GRPC_ADDR: z.string().min(1).default("127.0.0.1:50053"),
  /** Absolute lifetime of a login session. */
  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  /** A session unused for this long ends even before its TTL. */
  SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(120),
  /** Secure flag of the cookies; only the dev script may turn it off for plain-http localhost. */
  COOKIE_SECURE: env.bool(true),
  /** Username of the first admin, created when no admin exists yet. */
  BOOTSTRAP_ADMIN_USERNAME: z.string().min(1).max(64).default("admin"),
  /** Password of the first admin; when unset a strong one is generated and printed once. */
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12).optional(),
  /** Trust X-Forwarded-* (client address) only behind a known reverse proxy. */
  TRUST_PROXY: env.bool(false),
  /** Requests per client address and minute, per gateway replica (coarse abuse guard). */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  /** How often a live event stream (GET /api/apps/{id}/events) asks for new log lines and status. */
  SSE_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Comment line sent on idle event streams so proxies keep them open; also re-checks the caller's credentials. */
  SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  /** Open event streams per user on one gateway replica (beyond: 429). */
  SSE_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).max(100).default(5),
});

export type GatewayConfig = Readonly<z.output<typeof gatewayConfigSchema>>;

/** Parses the gateway's environment; throws ConfigError listing every bad variable. */
export function loadGatewayConfig(source: Record<string, string | undefined> = process.env): GatewayConfig {
  return loadConfig(gatewayConfigSchema, source);
}
