import type { TestProject } from "vitest/node";

/**
 * vitest global setup: provides PostgreSQL and NATS (JetStream) URLs to every test.
 * Uses TEST_DATABASE_URL / TEST_NATS_URL when set (machines that run the servers, CI); otherwise
 * starts containers with testcontainers (machines with a Docker engine). Same test code either way.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<unknown>)[] = [];
  let databaseUrl = process.env.TEST_DATABASE_URL;
  let natsUrl = process.env.TEST_NATS_URL;
  if (!databaseUrl) {
    const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
    const pg = await new PostgreSqlContainer("postgres:16-alpine").start();
    stops.push(() => pg.stop());
    databaseUrl = pg.getConnectionUri();
  }
  if (!natsUrl) {
    const { NatsContainer } = await import("@testcontainers/nats");
    const nats = await new NatsContainer("nats:2.10-alpine").withJetStream().start();
    stops.push(() => nats.stop());
    natsUrl = `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`;
  }
  project.provide("databaseUrl", databaseUrl);
  project.provide("natsUrl", natsUrl);
  return async () => {
    await Promise.all(stops.map((s) => s()));
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    natsUrl: string;
  }
}
