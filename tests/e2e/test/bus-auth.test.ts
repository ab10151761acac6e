/**
 * The whole platform on a private nats-server configured by natsServerConfig (a user and
 * permissions per service, the bus admin, no anonymous access): the setup step declares every
 * stream and KV bucket as the admin, then the real services' flows (outbox relays, durable and
 * broadcast consumers, KV leases and slots, rate-limit counters, dead-letter reads) work without
 * any right to administer the bus, and the server never had to refuse any of them.
 */
import { randomBytes } from "node:crypto";
import { natsServerConfig } from "@proximity/bus";
import {
  generateNatsUser,
  generateServiceKeys,
  natsKeyPairFromSeed,
  ServiceIdentities,
} from "@proximity/identity";
import { eventually, type PrivateNats, startPrivateNats, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type Platform, startPlatform } from "../src/index.js";

let nats: PrivateNats;
let platform: Platform;
let admin: GatewayClient;

beforeAll(async () => {
  const keys = await generateServiceKeys(ServiceIdentities);
  const users = Object.fromEntries(
    [...keys].map(([name, k]) => [
      name,
      natsKeyPairFromSeed(new TextEncoder().encode(k.natsSeed)).getPublicKey(),
    ]),
  );
  const ns = `e2e${randomBytes(4).toString("hex")}`;
  const busAdmin = generateNatsUser();
  nats = await startPrivateNats(({ port, storeDir }) =>
    natsServerConfig({ ns, users, admin: busAdmin.publicKey, port, storeDir }),
  );
  platform = await startPlatform({
    databaseUrl: testServers().databaseUrl,
    natsUrl: nats.url,
    keys,
    busNamespace: ns,
    busAdminSeed: busAdmin.seed,
    logLevel: process.env.TEST_LOG_LEVEL,
  });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
});

afterAll(async () => {
  await platform?.stop();
  await nats?.stop();
});

describe("bus with authentication and per-service permissions", () => {
  it("bus auth - register a host, deploy, stop and reload the catalog: every service works within its rights", async () => {
    const host = await admin.post("/api/proxmox/hosts", platform.hostRegistration());
    expect(host.status).toBe(201);
    const res = await admin.post("/api/apps", { catalog_id: "whoami", hostname: "auth-whoami" });
    expect(res.status).toBe(202);
    const id: string = res.body.id;
    await eventually(
      async () => {
        const r = await admin.get(`/api/apps/${id}`);
        if (r.body.status === "error") throw new Error(`deploy failed: ${r.body.status_message}`);
        return r.body.status === "running";
      },
      { timeoutMs: 45_000, what: "app running" },
    );
    // Backups heard of the app (APPLICATIONS → backups), so its policy exists.
    await eventually(async () => (await admin.get(`/api/apps/${id}/backup-policy`)).status === 200, {
      what: "the default backup policy",
    });
    // A life-cycle request and its result (lifecycle durable, operation results).
    expect((await admin.post(`/api/apps/${id}/action`, { action: "stop" })).status).toBe(202);
    await eventually(async () => (await admin.get(`/api/apps/${id}`)).body.status === "stopped", {
      timeoutMs: 30_000,
      what: "app stopped",
    });
    // The broadcast consumer of the catalog reloads.
    expect((await admin.post("/api/catalog/reload", {})).status).toBeLessThan(300);

    expect(nats.output()).not.toMatch(/Violation/i);
  });
});
