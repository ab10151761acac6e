import { databaseTimeouts } from "@proximity/config";
import { createDatabase, prepareSchema } from "@proximity/db";
import type { ServiceKeys } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { startMetricsServer } from "@proximity/metrics";
import { defineService, type ServiceHandle } from "@proximity/service-kit";
import type { Telemetry } from "@proximity/telemetry";
import { createAuthEventPruner } from "./app/auth-event-retention.js";
import { bootstrapAdmin } from "./app/bootstrap-admin.js";
import { listenForCredentialChanges } from "./app/credential-change-listener.js";
import { createDeadSessionPruner } from "./app/dead-session-pruner.js";
import { createLastUseRecorder } from "./app/last-use-recorder.js";
import { prepareLogin } from "./app/login.js";
import { startLoginThrottlePruning } from "./app/login-throttle.js";
import { createRequestAuditPruner } from "./app/request-audit-retention.js";
import { createSessionCache } from "./app/session-cache.js";
import { createSessionStore } from "./app/session-store.js";
import { createTokenCache } from "./app/token-cache.js";
import { createGatewayClients } from "./clients.js";
import type { GatewayConfig } from "./config.js";
import { recordApiTokenUses } from "./db/api-token.repository.js";
import type { GatewayTables } from "./db/database.js";
import { gatewayMigrations } from "./db/migrations/index.js";
import { createHealthProbe } from "./health-probe.js";
import { RATE_LIMIT_WINDOW_MS } from "./http/plugins/rate-limit.js";
import { buildHttpApp } from "./http/server.js";
import { createKvCounterStore } from "./rate-limit/kv-counter-store.js";
import { connectRateLimitNats } from "./rate-limit/rate-limit-connection.js";

/** How often recorded API token uses are written (GET /api/auth/tokens shows them this late at most, plus a minute). */
const TOKEN_USE_FLUSH_MS = 5_000;
/** How often sessions past their lifetime or idle timeout are deleted. */
const DEAD_SESSION_PRUNE_INTERVAL_MS = 10 * 60_000;
/** Verified API tokens, and resolved sessions, kept at most per replica (a few MiB each). */
const MAX_CACHED_CREDENTIALS = 10_000;

export interface GatewayDeps {
  readonly logger: Logger;
  readonly keys: ServiceKeys;
  /** Where a generated bootstrap password is shown once; stderr by default, never the JSON log. */
  readonly announce?: (text: string) => void;
  /** The service's tracing (createTelemetry); flushed when the service stops. Default: off. */
  readonly telemetry?: Telemetry;
}

export interface GatewayStarted {
  readonly httpPort: number;
  readonly url: string;
}

/**
 * The api-gateway: migrates its schema, makes sure an admin exists, then serves HTTP. Stops in
 * reverse: HTTP first (in-flight requests finish, new ones get 503), then clients, then the pool.
 */
export function createGatewayService(
  config: GatewayConfig,
  deps: GatewayDeps,
): ServiceHandle<GatewayStarted> {
  const log = deps.logger;
  const tracer = deps.telemetry?.tracer;
  return defineService(log, async (onStop) => {
    // Registered first, so flushed last: the spans of the stop itself are sent too.
    const telemetry = deps.telemetry;
    if (telemetry) onStop("telemetry", () => telemetry.flush());
    // On a port of its own: /metrics is never served on the public HTTP port.
    const metrics = await startMetricsServer({
      logger: log,
      host: config.METRICS_HOST,
      port: config.METRICS_PORT,
    });
    if (metrics) onStop("metrics server", () => metrics.close());
    const db = createDatabase<GatewayTables>({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      logger: log,
      timeouts: databaseTimeouts(config),
      preparedStatements: config.DB_PREPARED_STATEMENTS,
    });
    onStop("database", () => db.destroy());
    // Rate-limit counters shared by the replicas; without NATS the limits fail open (logged).
    const nats = connectRateLimitNats({
      servers: config.NATS_URL,
      natsSeed: deps.keys.natsSeed,
      logger: log,
    });
    onStop("rate-limit nats", () => nats.close());
    const probes = {
      applications: createHealthProbe(config.APPLICATIONS_GRPC_ADDR, "applications", deps.keys),
      hosts: createHealthProbe(config.HOSTS_GRPC_ADDR, "hosts", deps.keys),
    };
    onStop("health probes", () => {
      for (const probe of Object.values(probes)) probe.close();
    });
    const clients = createGatewayClients(
      {
        applications: config.APPLICATIONS_GRPC_ADDR,
        hosts: config.HOSTS_GRPC_ADDR,
        backups: config.BACKUPS_GRPC_ADDR,
      },
      deps.keys,
      tracer,
    );
    onStop("peer clients", () => clients.close());

    await prepareSchema(db, {
      schema: config.DB_SCHEMA,
      migrations: gatewayMigrations,
      migrate: config.MIGRATE_ON_START,
    });
    await bootstrapAdmin(db, {
      username: config.BOOTSTRAP_ADMIN_USERNAME,
      password: config.BOOTSTRAP_ADMIN_PASSWORD,
      logger: log,
      announce: deps.announce ?? ((text) => process.stderr.write(text)),
    });
    await prepareLogin();
    const stopPruning = startLoginThrottlePruning(db, log);
    onStop("login throttle pruning", stopPruning);
    await nats.ready(2_000);
    const authEventPruner = createAuthEventPruner({
      db,
      retentionDays: config.AUTH_EVENT_RETENTION_DAYS,
      intervalMs: config.AUTH_EVENT_PRUNE_INTERVAL_MINUTES * 60_000,
      logger: log,
    });
    authEventPruner.start();
    onStop("auth event pruning", () => authEventPruner.stop());
    const requestAuditPruner = createRequestAuditPruner({
      db,
      retentionDays: config.REQUEST_AUDIT_RETENTION_DAYS,
      intervalMs: config.REQUEST_AUDIT_PRUNE_INTERVAL_MINUTES * 60_000,
      logger: log,
    });
    requestAuditPruner.start();
    onStop("request audit pruning", () => requestAuditPruner.stop());
    const sessionPolicy = {
      ttlMs: config.SESSION_TTL_HOURS * 3_600_000,
      idleMs: config.SESSION_IDLE_MINUTES * 60_000,
    };
    // Verified credentials kept by this replica, emptied by the database's change notices.
    const tokenCache = createTokenCache({
      ttlMs: config.API_TOKEN_CACHE_SECONDS * 1_000,
      maxEntries: MAX_CACHED_CREDENTIALS,
    });
    const sessionCache = createSessionCache({
      ttlMs: config.SESSION_CACHE_SECONDS * 1_000,
      maxEntries: MAX_CACHED_CREDENTIALS,
      idleMs: sessionPolicy.idleMs,
    });
    const stopListening = listenForCredentialChanges(db, [tokenCache, sessionCache]);
    if (stopListening) onStop("credential caches", stopListening);
    const sessions = createSessionStore(db, sessionPolicy, sessionCache);
    const deadSessionPruner = createDeadSessionPruner({
      db,
      idleMs: sessionPolicy.idleMs,
      intervalMs: DEAD_SESSION_PRUNE_INTERVAL_MS,
      logger: log,
    });
    deadSessionPruner.start();
    onStop("dead session pruning", () => deadSessionPruner.stop());
    // Token uses are written every few seconds in one statement, not per request; stopped after
    // HTTP (registered before it), so the last uses are written before the pool closes.
    const tokenUses = createLastUseRecorder({
      what: "api token",
      write: (ids, at) => recordApiTokenUses(db, ids, at),
      intervalMs: TOKEN_USE_FLUSH_MS,
      logger: log,
    });
    tokenUses.start();
    onStop("api token last uses", () => tokenUses.stop());
    const app = await buildHttpApp({
      db,
      ...(tracer ? { tracer } : {}),
      sessions,
      tokenUses,
      tokenCache,
      sessionCache,
      tokenPolicy: {
        defaultDays: config.API_TOKEN_DEFAULT_DAYS,
        maxDays: config.API_TOKEN_MAX_DAYS,
        maxLivePerUser: config.API_TOKENS_PER_USER,
      },
      clients,
      probes,
      logger: log,
      cookieSecure: config.COOKIE_SECURE,
      trustProxy: config.TRUST_PROXY,
      rateLimit: {
        perAddressPerMinute: config.RATE_LIMIT_PER_MINUTE,
        perUserPerMinute: config.RATE_LIMIT_PER_USER_PER_MINUTE ?? config.RATE_LIMIT_PER_MINUTE,
        store: createKvCounterStore({
          connection: nats,
          ns: config.BUS_NAMESPACE,
          declare: config.BUS_DECLARE_STREAMS,
          windowMs: RATE_LIMIT_WINDOW_MS,
          logger: log,
        }),
      },
      http: {
        requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
        headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
        connectionTimeoutMs: config.HTTP_CONNECTION_TIMEOUT_MS,
        keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
        bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES,
        maxRequestsPerSocket: config.HTTP_MAX_REQUESTS_PER_SOCKET,
        maxConnections: config.HTTP_MAX_CONNECTIONS,
      },
      eventStreams: {
        pollIntervalMs: config.SSE_POLL_INTERVAL_MS,
        heartbeatMs: config.SSE_HEARTBEAT_MS,
        maxPerUser: config.SSE_MAX_STREAMS_PER_USER,
      },
      ...(config.WEB_CONSOLE_DIR
        ? { webConsole: { dir: config.WEB_CONSOLE_DIR, secureTransport: config.COOKIE_SECURE } }
        : {}),
    });
    // Registered last so it is released first: in-flight requests finish (open event streams are
    // ended by a preClose hook, see server.ts) before clients and pool go.
    onStop("http", () => app.close());
    await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
    const address = app.server.address();
    const httpPort = typeof address === "object" && address ? address.port : config.HTTP_PORT;
    const host = config.HTTP_HOST === "0.0.0.0" ? "127.0.0.1" : config.HTTP_HOST;
    return { httpPort, url: `http://${host}:${httpPort}` };
  });
}
