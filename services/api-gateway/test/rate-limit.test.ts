import { createServer } from "node:net";
import { connectBusAdmin, declareBus, KvBuckets, natsPermissions, natsServerConfig } from "@proximity/bus";
import { generateServiceKeys } from "@proximity/grpc";
import { createLogger } from "@proximity/logger";
import {
  dropNamespaceStreams,
  type PrivateNats,
  startPrivateNats,
  testServers,
  uniqueNamespace,
} from "@proximity/testing";
import { nkeys } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../src/config.js";
import { RATE_LIMIT_WINDOW_MS } from "../src/http/plugins/rate-limit.js";
import { createKvCounterStore } from "../src/rate-limit/kv-counter-store.js";
import { RATE_LIMIT_BUCKET_SUFFIX } from "../src/rate-limit/rate-limit-bucket.js";
import { connectRateLimitNats } from "../src/rate-limit/rate-limit-connection.js";
import { createGatewayService } from "../src/service.js";
import { type FakeBackends, startFakeBackends } from "./support/fake-backends.js";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { type HttpResult, login, request } from "./support/http-client.js";
import { createGatewayTestDatabase, type GatewayTestDatabase } from "./support/test-database.js";

/** Two gateway replicas on one database and one bus namespace, as in a real deployment. */
interface Replicas {
  readonly urls: readonly [string, string];
  stop(): Promise<void>;
}

type Keys = Awaited<ReturnType<typeof generateServiceKeys>>;
const serviceKeys = () => generateServiceKeys(["api-gateway", "applications", "hosts", "backups"]);

async function startReplicas(env: Record<string, string>, keys?: Keys): Promise<Replicas> {
  const database: GatewayTestDatabase = await createGatewayTestDatabase();
  keys ??= await serviceKeys();
  const fakes: FakeBackends = await startFakeBackends(keys);
  const ns = uniqueNamespace();
  const services = [0, 1].map(() =>
    createGatewayService(
      loadGatewayConfig({
        DATABASE_URL: database.url,
        SERVICE_KEYS_DIR: "/unused-in-tests",
        HTTP_HOST: "127.0.0.1",
        HTTP_PORT: "0",
        APPLICATIONS_GRPC_ADDR: fakes.addresses.applications,
        HOSTS_GRPC_ADDR: fakes.addresses.hosts,
        BACKUPS_GRPC_ADDR: fakes.addresses.backups,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
        NATS_URL: testServers().natsUrl,
        BUS_NAMESPACE: ns,
        // The shared server has no authentication and no setup step: the gateway makes its bucket.
        BUS_DECLARE_STREAMS: "true",
        LOG_LEVEL: "silent",
        ...env,
      }),
      {
        logger: createLogger({ service: "api-gateway", level: "silent" }),
        keys: keys!.get("api-gateway")!,
        announce: () => {},
      },
    ),
  );
  // One after the other: both migrate the same schema.
  const first = await services[0]!.start();
  const second = await services[1]!.start();
  return {
    urls: [first.url, second.url],
    stop: async () => {
      for (const service of services) await service.stop();
      await fakes.stop();
      await database.drop();
      // The bucket reserves its max_bytes on the shared server: leave nothing behind.
      await dropNamespaceStreams(ns);
    },
  };
}

/** Counters live in fixed wall-clock windows: start a burst well inside one. */
async function awayFromWindowEdge(): Promise<void> {
  const left = RATE_LIMIT_WINDOW_MS - (Date.now() % RATE_LIMIT_WINDOW_MS);
  if (left < 10_000) await new Promise((r) => setTimeout(r, left + 100));
}

const statusesOf = (results: HttpResult[]) => results.map((r) => r.status);

describe("rate limit - shared by the gateway replicas", () => {
  let replicas: Replicas;
  beforeAll(async () => {
    replicas = await startReplicas({
      RATE_LIMIT_PER_MINUTE: "10",
      RATE_LIMIT_PER_USER_PER_MINUTE: "6",
      TRUST_PROXY: "1",
    });
  });
  afterAll(async () => {
    await replicas?.stop();
  });

  it("rate limit - the per-address budget holds across two replicas, with Retry-After and {detail} on 429", async () => {
    await awayFromWindowEdge();
    const results: HttpResult[] = [];
    for (let i = 0; i < 14; i++) {
      // Alternating replicas; anonymous requests (401) count like any other.
      results.push(
        await request(replicas.urls[i % 2]!, "GET", "/api/auth/me", {
          headers: { "x-forwarded-for": "198.51.100.77" },
        }),
      );
    }
    expect(statusesOf(results)).toEqual([...Array(10).fill(401), ...Array(4).fill(429)]);
    const refused = results[13]!;
    expect(refused.body).toEqual({ detail: "Too many requests, try again later" });
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another address has its own budget; the health check is never limited.
    const other = await request(replicas.urls[0], "GET", "/api/auth/me", {
      headers: { "x-forwarded-for": "198.51.100.78" },
    });
    expect(other.status).toBe(401);
    const health = await request(replicas.urls[1], "GET", "/api/health", {
      headers: { "x-forwarded-for": "198.51.100.77" },
    });
    expect(health.status).not.toBe(429);
  });

  it("rate limit - the per-user budget holds across replicas and addresses", async () => {
    await awayFromWindowEdge();
    const session = await login(replicas.urls[0], "admin", ADMIN_PASSWORD);
    const results: HttpResult[] = [];
    for (let i = 0; i < 8; i++) {
      results.push(
        await request(replicas.urls[i % 2]!, "GET", "/api/auth/me", {
          auth: session,
          headers: { "x-forwarded-for": `203.0.113.${100 + i}` },
        }),
      );
    }
    expect(statusesOf(results)).toEqual([...Array(6).fill(200), 429, 429]);
    expect(Number(results[7]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });
});

describe("rate limit - store unreachable", () => {
  let h: Harness;
  beforeAll(async () => {
    // A port nobody listens on: the counters cannot be reached.
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    h = await startHarness({ env: { RATE_LIMIT_PER_MINUTE: "2", NATS_URL: `nats://127.0.0.1:${closed}` } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("rate limit - fails open with a warning: requests are served, not refused", async () => {
    const results: HttpResult[] = [];
    for (let i = 0; i < 5; i++) results.push(await request(h.url, "GET", "/api/auth/me"));
    expect(statusesOf(results)).toEqual([401, 401, 401, 401, 401]);
    expect(h.logLines.some((line) => line.includes("rate-limit store unreachable"))).toBe(true);
  });
});

describe("rate limit - with the NATS permissions of an authenticated bus", () => {
  let nats: PrivateNats;
  let replicas: Replicas;
  beforeAll(async () => {
    const keys = await serviceKeys();
    const gatewayUser = nkeys
      .fromSeed(new TextEncoder().encode(keys.get("api-gateway")!.natsSeed))
      .getPublicKey();
    const ns = "rlperm";
    // The gateway's user gets exactly what the bus derives for a KV bucket it owns, nothing more
    // (the other services' users exist with keys nobody here holds).
    const topology = { durables: [], broadcasts: [], kvBuckets: [KvBuckets.gatewayRateLimits] };
    expect(KvBuckets.gatewayRateLimits.name).toBe(RATE_LIMIT_BUCKET_SUFFIX);
    const users: Record<string, string> = {};
    for (const service of natsPermissions(ns, topology).keys())
      users[service] = nkeys.createUser().getPublicKey();
    users["api-gateway"] = gatewayUser;
    // Setup's admin declares the bucket; the gateway only binds to it.
    const admin = nkeys.createUser();
    nats = await startPrivateNats(({ port, storeDir }) =>
      natsServerConfig({ ns, users, admin: admin.getPublicKey(), port, storeDir, topology }),
    );
    const nc = await connectBusAdmin({ servers: nats.url, seed: new TextDecoder().decode(admin.getSeed()) });
    await declareBus(nc, ns, { limits: { maxBytes: 1024 * 1024, maxMessageBytes: 64 * 1024 } });
    await nc.close();
    replicas = await startReplicas(
      {
        RATE_LIMIT_PER_MINUTE: "3",
        NATS_URL: nats.url,
        BUS_NAMESPACE: ns,
        BUS_DECLARE_STREAMS: "false",
        TRUST_PROXY: "1",
      },
      keys,
    );
  });
  afterAll(async () => {
    await replicas?.stop();
    await nats?.stop();
  });

  it("rate limit - counts in its bucket with only the permissions of a bucket owner", async () => {
    await awayFromWindowEdge();
    const results: HttpResult[] = [];
    for (let i = 0; i < 5; i++) {
      results.push(
        await request(replicas.urls[i % 2]!, "GET", "/api/auth/me", {
          headers: { "x-forwarded-for": "198.51.100.90" },
        }),
      );
    }
    expect(statusesOf(results)).toEqual([401, 401, 401, 429, 429]);
    expect(nats.output()).not.toMatch(/Permissions Violation/);
  });
});

describe("rate limit - the KV counter store", () => {
  it("rate limit - parallel hits on one key lose no update (compare-and-set), and refusals start past the limit", async () => {
    const keys = await serviceKeys();
    const logger = createLogger({ service: "api-gateway", level: "silent" });
    const ns = uniqueNamespace();
    const connection = connectRateLimitNats({
      servers: testServers().natsUrl,
      natsSeed: keys.get("api-gateway")!.natsSeed,
      logger,
    });
    try {
      await connection.ready(5_000);
      const store = createKvCounterStore({
        connection,
        ns,
        declare: true,
        windowMs: 60_000,
        logger,
      });
      await awayFromWindowEdge();
      // A high limit: every hit that is counted gets its own count, 1, 2, 3… (none lost).
      const high = await Promise.all(Array.from({ length: 40 }, () => store.hit("key-a", 60_000, 1_000)));
      const counted = high.map((r) => r.current).filter((c) => c !== 1_000);
      expect([...counted].sort((a, b) => a - b)).toEqual(counted.map((_, i) => i + 1));
      expect(counted.length).toBeGreaterThanOrEqual(30);
      for (const r of high) expect(r.ttl).toBeGreaterThan(0);
      // A low limit: counts below it are each given once (no lost update lets extra hits pass), and
      // the rest are refused (only a hit that lost every round passes uncounted, reported as the limit).
      const low = await Promise.all(Array.from({ length: 30 }, () => store.hit("key-b", 60_000, 10)));
      const below = low.map((r) => r.current).filter((c) => c < 10);
      expect(new Set(below).size).toBe(below.length);
      expect(low.filter((r) => r.current > 10).length).toBeGreaterThanOrEqual(10);
    } finally {
      await connection.close();
      await dropNamespaceStreams(ns);
    }
  });
});
