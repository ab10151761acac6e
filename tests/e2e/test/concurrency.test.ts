/**
 * Many requests at once, end to end: fifty concurrent deploys get fifty containers with distinct
 * VMIDs and published ports, fifty concurrent deletes leave nothing behind and give every port
 * back, and a hostname raced by several deploys goes to exactly one of them.
 */
import { eventually, testServers } from "@proximity/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type HttpResult, type Platform, startPlatform } from "../src/index.js";
import { createUser, FAST_RETRIES, gone, settled } from "./support/apps.js";

const COUNT = 50;
/** 55 ports for 50 apps: a second wave of 10 only fits if the first wave's ports came back. */
const PORT_FIRST = 30000;
const PORT_LAST = 30054;

let platform: Platform;
let admin: GatewayClient;
let alice: GatewayClient;
let aliceId: string;

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: platform.databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Published ports the applications service holds (its port table). */
async function allocatedPorts(): Promise<number> {
  const rows = await sql<{ n: string }>("select count(*) as n from applications.port_allocations");
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    nodes: ["pve1", "pve2"],
    provisionerEnv: { ...FAST_RETRIES, PROVISIONER_CONCURRENCY: "8" },
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000" },
    applicationsEnv: { APP_PORT_RANGE: `${PORT_FIRST}-${PORT_LAST}` },
  });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  expect((await admin.post("/api/proxmox/hosts", platform.hostRegistration())).status).toBe(201);
  ({ client: alice, id: aliceId } = await createUser(platform, admin, "alice"));
  // The default quota (25) is below what this test deploys at once.
  const quota = await admin.request("PUT", `/api/users/${aliceId}/quota`, { max_apps: 200 });
  expect(quota.status, JSON.stringify(quota.body)).toBe(200);
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

describe("concurrency, end to end", () => {
  it("50 concurrent deploys: all run, with distinct VMIDs and ports; 50 concurrent deletes leave nothing", async () => {
    const hostnames = Array.from({ length: COUNT }, (_, i) => `wave-${String(i).padStart(2, "0")}`);
    const accepted = await Promise.all(
      hostnames.map((hostname) => alice.post("/api/apps", { catalog_id: "whoami", hostname })),
    );
    for (const res of accepted) expect(res.status, JSON.stringify(res.body)).toBe(202);
    const ids = accepted.map((r) => r.body.id as string);
    expect(new Set(ids).size).toBe(COUNT);

    const apps = await Promise.all(ids.map((id) => settled(alice, id, 240_000)));
    for (const app of apps) expect(app.status, `${app.hostname}: ${app.status_message}`).toBe("running");

    const vmids = apps.map((a) => a.vmid as number);
    expect(new Set(vmids).size, "distinct VMIDs").toBe(COUNT);
    const ports = apps.map((a) => a.port as number);
    expect(new Set(ports).size, "distinct published ports").toBe(COUNT);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(PORT_FIRST);
      expect(port).toBeLessThanOrEqual(PORT_LAST);
    }
    for (const app of apps) expect(app.access_url).toBe(`http://${app.ip_address}:${app.port}`);
    expect(await allocatedPorts()).toBe(COUNT);

    // One container per app on the simulator, running, under the app's hostname and VMID.
    const containers = platform.sim.containers();
    expect(containers).toHaveLength(COUNT);
    for (const app of apps) {
      expect(containers.find((c) => c.vmid === app.vmid)).toMatchObject({
        node: app.node,
        hostname: app.hostname,
        status: "running",
      });
    }
    const used = await admin.get(`/api/users/${aliceId}/quota`);
    expect(used.body).toMatchObject({ used: COUNT });

    // Delete all of them at once.
    const deletes = await Promise.all(ids.map((id) => alice.delete(`/api/apps/${id}`)));
    for (const res of deletes) expect(res.status, JSON.stringify(res.body)).toBe(202);
    await Promise.all(ids.map((id) => gone(alice, id, 240_000)));
    expect(platform.sim.containers()).toEqual([]);
    expect((await alice.get("/api/apps")).body.total).toBe(0);
    expect(await allocatedPorts(), "every published port given back").toBe(0);
    expect((await admin.get(`/api/users/${aliceId}/quota`)).body).toMatchObject({ used: 0 });

    // The pool has 55 ports: ten more apps only fit because the deleted apps' ports came back.
    const second = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        alice.post("/api/apps", { catalog_id: "whoami", hostname: `again-${i}` }),
      ),
    );
    for (const res of second) expect(res.status, JSON.stringify(res.body)).toBe(202);
    const again = await Promise.all(second.map((r) => settled(alice, r.body.id, 120_000)));
    for (const app of again) expect(app.status, app.status_message).toBe("running");
    expect(new Set(again.map((a) => a.port)).size).toBe(10);
    // The hostnames of the deleted apps are free again too.
    const reused = await alice.post("/api/apps", { catalog_id: "whoami", hostname: hostnames[0] });
    expect(reused.status, JSON.stringify(reused.body)).toBe(202);
    expect((await settled(alice, reused.body.id)).status).toBe("running");
  }, 600_000);

  it("a hostname raced by 5 concurrent deploys: one 202, four 409, one app and one container", async () => {
    const before = platform.sim.containers().length;
    const results: HttpResult[] = await Promise.all(
      Array.from({ length: 5 }, () =>
        alice.post("/api/apps", { catalog_id: "whoami", hostname: "contested" }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses, JSON.stringify(results.map((r) => r.body))).toEqual([202, 409, 409, 409, 409]);
    for (const refused of results.filter((r) => r.status === 409))
      expect(refused.body.detail).toMatch(/contested/);
    const winner = results.find((r) => r.status === 202)!;
    expect((await settled(alice, winner.body.id)).status).toBe("running");
    const list = await alice.get("/api/apps?search=contested");
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([winner.body.id]);
    await eventually(async () => platform.sim.containers().length === before + 1 || undefined, {
      what: "one new container",
    });
    expect(platform.sim.containers().filter((c) => c.hostname === "contested")).toHaveLength(1);
    // The losers left no port or quota behind.
    const ports = await sql<{ n: string }>(
      "select count(*) as n from applications.port_allocations a join applications.apps p on p.id = a.app_id where p.hostname = $1",
      ["contested"],
    );
    expect(Number(ports[0]!.n)).toBe(1);
    expect(await allocatedPorts()).toBe(platform.sim.containers().length);
  }, 120_000);
});
