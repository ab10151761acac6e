import { connect as tcpConnect } from "node:net";
import type { TestProject } from "vitest/node";

/**
 * vitest global setup: provides PostgreSQL and NATS (JetStream) URLs to every test.
 * 1. TEST_DATABASE_URL / TEST_NATS_URL when set (CI and machines that run the servers);
 * 2. else containers from testcontainers where a Docker engine answers;
 * 3. else the servers on their standard local ports, if they answer.
 * The test code is the same in every case; each test file isolates itself (own database, own
 * bus namespace) and never stops the servers.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<unknown>)[] = [];
  let databaseUrl = process.env.TEST_DATABASE_URL;
  let natsUrl = process.env.TEST_NATS_URL;
  const docker = !(databaseUrl && natsUrl) && (await dockerAvailable());
  if (!databaseUrl) {
    if (docker) {
      const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
      const pg = await new PostgreSqlContainer("postgres:16-alpine").start();
      stops.push(() => pg.stop());
      databaseUrl = pg.getConnectionUri();
    } else {
      databaseUrl = await localOrFail(
        "postgres://postgres@127.0.0.1:5432/postgres",
        5432,
        "TEST_DATABASE_URL",
      );
    }
  }
  if (!natsUrl) {
    if (docker) {
      const { NatsContainer } = await import("@testcontainers/nats");
      const nats = await new NatsContainer("nats:2.10-alpine").withJetStream().start();
      stops.push(() => nats.stop());
      natsUrl = `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`;
    } else {
      natsUrl = await localOrFail("nats://127.0.0.1:4222", 4222, "TEST_NATS_URL");
    }
  }
  project.provide("databaseUrl", databaseUrl);
  project.provide("natsUrl", natsUrl);
  return async () => {
    await Promise.all(stops.map((s) => s()));
  };
}

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function localOrFail(url: string, port: number, variable: string): Promise<string> {
  const open = await new Promise<boolean>((resolve) => {
    const socket = tcpConnect({ host: "127.0.0.1", port, timeout: 1_000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
  if (!open) throw new Error(`No Docker engine and nothing on 127.0.0.1:${port}: set ${variable}`);
  return url;
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    natsUrl: string;
  }
}
