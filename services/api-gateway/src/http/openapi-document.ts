import { createLogger } from "@proximity/logger";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { GatewayClients } from "../clients.js";
import type { GatewayDb } from "../db/database.js";
import type { HttpDeps } from "./deps.js";
import { buildHttpApp } from "./server.js";

/** Never called while the document is built: no route handler runs. */
function unreachable(): never {
  throw new Error("the OpenAPI document is built without services");
}

/**
 * The gateway's OpenAPI document, as GET /api/openapi.json serves it, built offline: the routes
 * are registered on dependencies that are never reached (no database, bus or service is
 * contacted), so the web console's API types can be generated from it at build time
 * (scripts/generate-api-types.ts).
 */
export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  // pg connects lazily: a pool that is never queried opens no connection.
  const pool = new pg.Pool({ host: "127.0.0.1", port: 1, max: 1 });
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) }) as unknown as GatewayDb;
  const probe = { check: async () => "down" as const, close: () => {} };
  const deps: HttpDeps = {
    db,
    sessions: { start: unreachable, resolve: unreachable, listOfUser: unreachable, idleCutoff: unreachable },
    tokenPolicy: { defaultDays: 90, maxDays: 365, maxLivePerUser: 50 },
    clients: { close: () => {} } as unknown as GatewayClients,
    probes: { applications: probe, hosts: probe },
    logger: createLogger({ service: "openapi", level: "silent" }),
    cookieSecure: true,
    trustProxy: false,
    rateLimit: { perAddressPerMinute: 1, perUserPerMinute: 1, store: { hit: unreachable } },
    http: {
      requestTimeoutMs: 1_000,
      headersTimeoutMs: 1_000,
      connectionTimeoutMs: 1_000,
      keepAliveTimeoutMs: 1_000,
      bodyLimitBytes: 65_536,
      maxRequestsPerSocket: 0,
      maxConnections: 1,
    },
    eventStreams: { pollIntervalMs: 1_000, heartbeatMs: 1_000, maxPerUser: 1 },
  };
  const app = await buildHttpApp(deps);
  try {
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
    await pool.end();
  }
}
