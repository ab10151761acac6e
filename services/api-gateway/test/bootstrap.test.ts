import { generateServiceKeys } from "@proximity/grpc";
import { testLogger } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../src/config.js";
import { createGatewayService } from "../src/service.js";
import { login } from "./support/http-client.js";
import { createGatewayTestDatabase, type GatewayTestDatabase } from "./support/test-database.js";

let database: GatewayTestDatabase;

beforeAll(async () => {
  database = await createGatewayTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

async function replica(announcements: string[]) {
  // Backends are unreachable on purpose: bootstrapping needs only the database.
  const config = loadGatewayConfig({
    DATABASE_URL: database.url,
    SERVICE_KEYS_DIR: "/unused-in-tests",
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: "0",
    APPLICATIONS_GRPC_ADDR: "127.0.0.1:1",
    HOSTS_GRPC_ADDR: "127.0.0.1:1",
    BACKUPS_GRPC_ADDR: "127.0.0.1:1",
  });
  const keys = (await generateServiceKeys(["api-gateway"])).get("api-gateway")!;
  return createGatewayService(config, {
    logger: testLogger(),
    keys,
    announce: (text) => announcements.push(text),
  });
}

describe("bootstrap - first admin", () => {
  it("bootstrap - two replicas starting at once create one admin and print its generated password once", async () => {
    const announcements: string[] = [];
    const replicas = await Promise.all([replica(announcements), replica(announcements)]);
    try {
      const started = await Promise.all(replicas.map((r) => r.start()));
      expect(announcements).toHaveLength(1);
      const password = /password: (\S+)/.exec(announcements[0]!)?.[1];
      expect(password?.length).toBeGreaterThanOrEqual(20);
      const session = await login(started[0]!.url, "admin", password!);
      expect(session.userId).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
    const again: string[] = [];
    const restarted = await replica(again);
    await restarted.start();
    await restarted.stop();
    expect(again).toHaveLength(0);
  });
});
