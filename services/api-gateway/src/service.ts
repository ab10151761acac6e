import { createDatabase, migrateToLatest } from "@proximity/db";
import type { ServiceKeys } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { defineService, type ServiceHandle } from "@proximity/service-kit";
import { bootstrapAdmin } from "./app/bootstrap-admin.js";
import { prepareLogin } from "./app/login.js";
import { createSessionStore } from "./app/session-store.js";
import { createGatewayClients } from "./clients.js";
import type { GatewayConfig } from "./config.js";
import type { GatewayTables } from "./db/database.js";
import { gatewayMigrations } from "./db/migrations/index.js";
import { createHealthProbe } from "./health-probe.js";
import { buildHttpApp } from "./http/server.js";

export interface GatewayDeps {
  readonly logger: Logger;
  readonly keys: ServiceKeys;
  /** Where a generated bootstrap password is shown once; stderr by default, never the JSON log. */
  readonly announce?: (text: string) => void;
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
  return defineService(log, async (onStop) => {
    const db = createDatabase<GatewayTables>({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      logger: log,
    });
    onStop("database", () => db.destroy());
    const probes = {
      applications: createHealthProbe(config.APPLICATIONS_GRPC_ADDR),
      hosts: createHealthProbe(config.HOSTS_GRPC_ADDR),
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
    );
    onStop("peer clients", () => clients.close());

    await migrateToLatest(db, { schema: config.DB_SCHEMA, migrations: gatewayMigrations });
    await bootstrapAdmin(db, {
      username: config.BOOTSTRAP_ADMIN_USERNAME,
      password: config.BOOTSTRAP_ADMIN_PASSWORD,
      logger: log,
      announce: deps.announce ?? ((text) => process.stderr.write(text)),
    });
    await prepareLogin();
    const sessions = createSessionStore(db, {
      ttlMs: config.SESSION_TTL_HOURS * 3_600_000,
      idleMs: config.SESSION_IDLE_MINUTES * 60_000,
    });
    const app = await buildHttpApp({
      db,
      sessions,
      clients,
      probes,
      logger: log,
      cookieSecure: config.COOKIE_SECURE,
      trustProxy: config.TRUST_PROXY,
      rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
      eventStreams: {
        pollIntervalMs: config.SSE_POLL_INTERVAL_MS,
        heartbeatMs: config.SSE_HEARTBEAT_MS,
        maxPerUser: config.SSE_MAX_STREAMS_PER_USER,
      },
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
