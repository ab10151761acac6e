import { randomBytes } from "node:crypto";
import { createLogger, type Logger } from "@proximity/logger";
import pg from "pg";
import { inject } from "vitest";

/** Server URLs from the global setup. */
export function testServers(): { databaseUrl: string; natsUrl: string } {
  return { databaseUrl: inject("databaseUrl"), natsUrl: inject("natsUrl") };
}

/** A short random lower-case id, for schema, database, stream and consumer names. */
export function uniqueName(prefix = "t"): string {
  return `${prefix}${randomBytes(5).toString("hex")}`;
}

/** A bus namespace of its own for one test file (streams and subjects do not collide). */
export function uniqueNamespace(): string {
  return uniqueName("t");
}

/** A fresh database on the test server; `drop()` removes it. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const { databaseUrl } = testServers();
  const name = uniqueName("proximity_test_");
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A logger for tests: silent unless TEST_LOG_LEVEL is set. */
export function testLogger(service = "test"): Logger {
  return createLogger({ service, level: process.env.TEST_LOG_LEVEL ?? "silent" });
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  { timeoutMs = 20_000, intervalMs = 50, what = "condition" } = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`, { cause: last });
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Deletes every stream of a test namespace on the shared test server (event streams and KV
 * buckets): JetStream reserves a stream's `max_bytes` up front, so leftovers would use up the
 * server's storage over a long run.
 */
export async function dropNamespaceStreams(ns: string): Promise<void> {
  const { connect } = await import("nats");
  const nc = await connect({ servers: testServers().natsUrl.split(",") });
  try {
    const jsm = await nc.jetstreamManager();
    const prefixes = [`${ns.toUpperCase()}_`, `KV_${ns}_`];
    const names: string[] = [];
    for await (const info of jsm.streams.list()) {
      if (prefixes.some((p) => info.config.name.startsWith(p))) names.push(info.config.name);
    }
    for (const name of names) await jsm.streams.delete(name);
  } finally {
    await nc.close();
  }
}
