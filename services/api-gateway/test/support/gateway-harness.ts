import { createDatabase } from "@proximity/db";
import { generateServiceKeys } from "@proximity/grpc";
import { createLogger } from "@proximity/logger";
import { dropNamespaceStreams, eventually, testServers, uniqueNamespace } from "@proximity/testing";
import { sql } from "kysely";
import { loadGatewayConfig } from "../../src/config.js";
import type { GatewayDb, GatewayTables } from "../../src/db/database.js";
import { createGatewayService } from "../../src/service.js";
import { type FakeBackends, startFakeBackends } from "./fake-backends.js";
import { createGatewayTestDatabase } from "./test-database.js";

export const ADMIN_PASSWORD = "correct horse battery staple";

/** A real gateway on a free port, in front of fake backends, on a database of its own. */
export interface Harness {
  readonly url: string;
  readonly fakes: FakeBackends;
  /** Direct access to the gateway's schema, for assertions. */
  readonly db: GatewayDb;
  /** Every JSON line the gateway logged. */
  readonly logLines: string[];
  /** What the gateway printed for operators (bootstrap banner). */
  readonly announcements: string[];
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra environment for the gateway (e.g. BOOTSTRAP_ADMIN_PASSWORD removed, RATE_LIMIT_PER_MINUTE). */
  readonly env?: Record<string, string | undefined>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = await createGatewayTestDatabase();
  const keys = await generateServiceKeys(["api-gateway", "applications", "hosts", "backups"]);
  const fakes = await startFakeBackends(keys);
  const namespace = uniqueNamespace();
  const config = loadGatewayConfig({
    DATABASE_URL: database.url,
    SERVICE_KEYS_DIR: "/unused-in-tests",
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: "0",
    APPLICATIONS_GRPC_ADDR: fakes.addresses.applications,
    HOSTS_GRPC_ADDR: fakes.addresses.hosts,
    BACKUPS_GRPC_ADDR: fakes.addresses.backups,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    RATE_LIMIT_PER_MINUTE: "100000",
    // Rate-limit counters: real NATS, a namespace of this gateway's own.
    NATS_URL: testServers().natsUrl,
    BUS_NAMESPACE: namespace,
    // No authentication, no setup step: the gateway makes its bucket.
    BUS_DECLARE_STREAMS: "true",
    LOG_LEVEL: "debug",
    // The web console only where a test serves one (web-console.test.ts): a built dist/ must
    // not change what the API tests see.
    WEB_CONSOLE_DIR: "",
    ...options.env,
  });
  const logLines: string[] = [];
  const announcements: string[] = [];
  const logger = createLogger(
    { service: "api-gateway", level: "debug" },
    { write: (line) => logLines.push(line) },
  );
  const service = createGatewayService(config, {
    logger,
    keys: keys.get("api-gateway")!,
    announce: (text) => announcements.push(text),
  });
  const { url } = await service.start();
  const db = createDatabase<GatewayTables>({ url: database.url, schema: config.DB_SCHEMA });
  return {
    url,
    fakes,
    db,
    logLines,
    announcements,
    stop: async () => {
      await service.stop();
      await db.destroy();
      await fakes.stop();
      await database.drop();
      await dropNamespaceStreams(config.BUS_NAMESPACE);
    },
  };
}

/**
 * Waits until the gateway listens for credential changes: its caches keep nothing before. The
 * listener counts as listening once its first heartbeat (a notification of its own, sent right
 * after the LISTEN) came back: its connection has then answered that heartbeat.
 */
export async function untilListeningForCredentialChanges(h: Harness): Promise<void> {
  await eventually(
    async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and application_name like '%-listen'
          and state = 'idle' and query like 'select pg_notify(%'`.execute(h.db);
      return rows[0]!.n > 0;
    },
    { what: "the gateway listening for credential changes" },
  );
  await new Promise((r) => setTimeout(r, 20)); // the heartbeat's notification read by the listener
}
