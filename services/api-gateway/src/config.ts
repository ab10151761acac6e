import { fileURLToPath } from "node:url";
import { baseServiceEnv, env, loadConfig } from "@proximity/config";
import { PASSWORD_MIN_LENGTH, USERNAME_MAX_LENGTH } from "@proximity/rules";
import { z } from "zod";
import { parseTrustProxy, trustProxyProblem } from "./http/trust-proxy.js";

/** services/web-console/dist, from services/api-gateway/src or services/api-gateway/dist. */
const DEFAULT_WEB_CONSOLE_DIR = fileURLToPath(new URL("../../web-console/dist", import.meta.url));

/**
 * Days an audit trail is kept. The database refuses to delete rows younger than 90 days (the
 * trails' retention guards), so a shorter setting would make every prune fail: refused here.
 */
const retentionDays = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(90, "must be at least 90 (the database keeps audit rows 90 days and refuses to delete younger ones)")
    .max(3650)
    .default(fallback);

/** Environment of the api-gateway, the only public door of Proximity. */
export const gatewayConfigSchema = z
  .object({
    LOG_LEVEL: baseServiceEnv.LOG_LEVEL,
    /** `development` allows what only a developer's machine may do (COOKIE_SECURE=false). */
    PROXIMITY_MODE: baseServiceEnv.PROXIMITY_MODE,
    /** Directory with `api-gateway.key` and the `.pub` key of every service it calls. */
    SERVICE_KEYS_DIR: baseServiceEnv.SERVICE_KEYS_DIR,
    DATABASE_URL: env.postgresUrl(),
    /** The gateway's own PostgreSQL schema (users, sessions, API tokens, throttling, audit). */
    DB_SCHEMA: env.sqlIdentifier("gateway"),
    /** Migrate the schema at start (true) or only check it is current (false: setup migrated it). */
    MIGRATE_ON_START: baseServiceEnv.MIGRATE_ON_START,
    HTTP_HOST: z.string().min(1).default("0.0.0.0"),
    /** The metrics server's own address and port (0 = off): never the public HTTP port. */
    METRICS_HOST: baseServiceEnv.METRICS_HOST,
    METRICS_PORT: baseServiceEnv.METRICS_PORT,
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
    /** A session unused for this long ends even before its TTL (ASVS 3.3.2: 30 minutes). */
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .positive()
      .max(24 * 60)
      .default(30),
    /**
     * Secure flag of the cookies; false (plain-http localhost) only with PROXIMITY_MODE=development.
     * When true the cookies are named `__Host-…` (Secure, Path=/, no Domain: a sibling subdomain cannot plant them).
     */
    COOKIE_SECURE: env.bool(true),
    /** Lifetime of an API token created without `expires_at`. */
    API_TOKEN_DEFAULT_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    /** Longest lifetime an API token may be given (`expires_at` beyond it is refused). */
    API_TOKEN_MAX_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
    /** Live (not revoked, not expired) API tokens one user may hold; one more is refused (409). */
    API_TOKENS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(50),
    /**
     * Longest a replica serves an API token it verified without looking it up again (0: every use
     * is looked up). Revocations and user changes empty the cache at once (app/token-cache.ts):
     * this only bounds a change whose notice was lost.
     */
    API_TOKEN_CACHE_SECONDS: z.coerce.number().int().min(0).max(60).default(30),
    /**
     * Longest a replica serves a session it resolved without looking it up again (0: every request
     * is looked up). Logouts, ended sessions and user changes empty the cache at once
     * (app/session-cache.ts): this only bounds a change whose notice was lost.
     */
    SESSION_CACHE_SECONDS: z.coerce.number().int().min(0).max(60).default(30),
    /**
     * Authentication events (logins, logouts, password changes, token and session ends) are kept this
     * long; at least 90, the days the database keeps them whatever is asked (migration 0003).
     */
    AUTH_EVENT_RETENTION_DAYS: retentionDays(90),
    /** How often authentication events past their retention are deleted. */
    AUTH_EVENT_PRUNE_INTERVAL_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(60),
    /**
     * The request audit trail (unsafe requests of signed-in callers) is kept this long; at least
     * 90, the days the database keeps it whatever is asked (migration 0004).
     */
    REQUEST_AUDIT_RETENTION_DAYS: retentionDays(365),
    /** How often request audit rows past their retention are deleted. */
    REQUEST_AUDIT_PRUNE_INTERVAL_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(60),
    /** Username of the first admin, created when no admin exists yet. */
    BOOTSTRAP_ADMIN_USERNAME: z.string().min(1).max(USERNAME_MAX_LENGTH).default("admin"),
    /** Password of the first admin; when unset a strong one is generated and printed once. */
    BOOTSTRAP_ADMIN_PASSWORD: z.string().min(PASSWORD_MIN_LENGTH).optional(),
    /**
     * Which X-Forwarded-For hops to believe for the client address (throttling, rate limits): the
     * number of reverse proxies in front of the gateway (e.g. 1), or their addresses/CIDRs (comma
     * separated); "false"/"0" when clients connect directly. `true` is refused (any client could pick its address).
     * Their X-Forwarded-Proto is believed too: HSTS is sent only on requests that came over HTTPS.
     */
    TRUST_PROXY: z
      .string()
      .default("false")
      .superRefine((value, ctx) => {
        const problem = trustProxyProblem(value);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .transform(parseTrustProxy),
    /** Requests per client address (IPv6: per /64) and minute, across all gateway replicas. */
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
    /** Requests per signed-in user and minute, across all gateway replicas (default: RATE_LIMIT_PER_MINUTE). */
    RATE_LIMIT_PER_USER_PER_MINUTE: z.coerce.number().int().positive().optional(),
    /** NATS servers: the rate-limit counters live in a JetStream key-value bucket (`<BUS_NAMESPACE>_ratelimit`). */
    NATS_URL: env.natsServers(),
    BUS_NAMESPACE: baseServiceEnv.BUS_NAMESPACE,
    /** Create the rate-limit bucket if absent: only on a NATS without authentication (tests); setup declares it. */
    BUS_DECLARE_STREAMS: baseServiceEnv.BUS_DECLARE_STREAMS,
    /** Longest time to receive a whole request, headers and body (slow clients are cut off with 408). */
    HTTP_REQUEST_TIMEOUT_MS: env.millis(30_000),
    /** Longest time to receive a request's headers (at most HTTP_REQUEST_TIMEOUT_MS). */
    HTTP_HEADERS_TIMEOUT_MS: env.millis(10_000),
    /** A socket with no traffic either way for this long is closed (above SSE_HEARTBEAT_MS). */
    HTTP_CONNECTION_TIMEOUT_MS: env.millis(120_000),
    /** An idle keep-alive connection is closed after this long (above a fronting proxy's idle timeout). */
    HTTP_KEEP_ALIVE_TIMEOUT_MS: env.millis(72_000),
    /** Request bodies above this many bytes are refused with 413. */
    HTTP_BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(64 * 1024),
    /** Requests served on one keep-alive connection before it is closed. */
    HTTP_MAX_REQUESTS_PER_SOCKET: z.coerce.number().int().min(1).default(1000),
    /** Open connections one replica accepts; beyond, new ones are dropped. */
    HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(4096),
    /** Deadlines of the gateway's PostgreSQL pool (see @proximity/config baseServiceEnv). */
    DB_ACQUIRE_TIMEOUT_MS: baseServiceEnv.DB_ACQUIRE_TIMEOUT_MS,
    /** The gateway's queries are small: 5 s is long. */
    DB_STATEMENT_TIMEOUT_MS: env.millis(5_000),
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: baseServiceEnv.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    DB_PREPARED_STATEMENTS: baseServiceEnv.DB_PREPARED_STATEMENTS,
    /** How often a live event stream (GET /api/apps/{id}/events) asks for new log lines and status. */
    SSE_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    /** Comment line sent on idle event streams so proxies keep them open; also re-checks the caller's credentials. */
    SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
    /** Open event streams per user on one gateway replica (beyond: 429). */
    SSE_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).max(100).default(5),
    /**
     * The web console's built files, served at `/` (empty: not served). The default is the
     * console package's dist/ beside this service, from its sources and from its dist/ alike.
     */
    WEB_CONSOLE_DIR: z.string().default(DEFAULT_WEB_CONSOLE_DIR),
  })
  .superRefine((config, ctx) => {
    if (!config.COOKIE_SECURE && config.PROXIMITY_MODE !== "development") {
      ctx.addIssue({
        code: "custom",
        path: ["COOKIE_SECURE"],
        message:
          "false is only allowed with PROXIMITY_MODE=development (plain-HTTP development): session cookies must be Secure",
      });
    }
    if (config.HTTP_HEADERS_TIMEOUT_MS > config.HTTP_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["HTTP_HEADERS_TIMEOUT_MS"],
        message: "must not be greater than HTTP_REQUEST_TIMEOUT_MS",
      });
    }
    if (config.HTTP_CONNECTION_TIMEOUT_MS <= config.SSE_HEARTBEAT_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["HTTP_CONNECTION_TIMEOUT_MS"],
        message: "must be greater than SSE_HEARTBEAT_MS (idle event streams would be cut)",
      });
    }
    if (config.API_TOKEN_DEFAULT_DAYS > config.API_TOKEN_MAX_DAYS) {
      ctx.addIssue({
        code: "custom",
        path: ["API_TOKEN_DEFAULT_DAYS"],
        message: "must not be greater than API_TOKEN_MAX_DAYS",
      });
    }
  });

export type GatewayConfig = Readonly<z.output<typeof gatewayConfigSchema>>;

/** Parses the gateway's environment; throws ConfigError listing every bad variable. */
export function loadGatewayConfig(source: Record<string, string | undefined> = process.env): GatewayConfig {
  return loadConfig(gatewayConfigSchema, source);
}
