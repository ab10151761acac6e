import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type Platform, startPlatform } from "../src/index.js";
import { dumpAllTables, encodingsOf } from "./support/leak-scan.js";

let platform: Platform;
let admin: GatewayClient;
let alice: GatewayClient;
let bob: GatewayClient;
let hostId: string;

async function createUser(username: string, isAdmin = false): Promise<GatewayClient> {
  const password = `correct-horse-battery-${username.length}-staple`;
  const res = await admin.post("/api/users", { username, password, is_admin: isAdmin });
  expect(res.status).toBe(201);
  const client = new GatewayClient(platform.url);
  await client.login(username, password);
  return client;
}

beforeAll(async () => {
  platform = await startPlatform({ ...testServers(), logLevel: process.env.TEST_LOG_LEVEL });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  const host = await admin.post("/api/proxmox/hosts", platform.hostRegistration());
  expect(host.status).toBe(201);
  hostId = host.body.id;
  alice = await createUser("alice");
  bob = await createUser("bob");
});

afterAll(async () => {
  await platform?.stop();
});

describe("deploy path, end to end", () => {
  it("deploy - a user's app goes from POST /api/apps to running, with a container on the simulator", async () => {
    const res = await alice.post("/api/apps", { catalog_id: "whoami", hostname: "alice-whoami" });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ hostname: "alice-whoami", status: "deploying", catalog_id: "whoami" });
    const id: string = res.body.id;

    const app = await eventually(
      async () => {
        const r = await alice.get(`/api/apps/${id}`);
        if (r.body.status === "error") throw new Error(`deploy failed: ${r.body.status_message}`);
        return r.body.status === "running" ? r.body : undefined;
      },
      { timeoutMs: 30_000, what: "app running" },
    );
    expect(app).toMatchObject({ host_id: hostId, node: "pve1" });
    expect(app.vmid).toBeGreaterThanOrEqual(100);

    const container = platform.sim.containers().find((c) => c.vmid === app.vmid);
    expect(container).toMatchObject({ node: "pve1", hostname: "alice-whoami", status: "running" });
    expect(container?.description).toContain(id);
    const commands = platform.sim.commandLog("pve1").map((c) => c.command);
    expect(commands.some((c) => c.includes("docker compose") && c.includes("up -d"))).toBe(true);

    const logs = await alice.get(`/api/apps/${id}/logs`);
    expect(logs.status).toBe(200);
    const messages: string[] = logs.body.items.map((l: { message: string }) => l.message);
    expect(messages.length).toBeGreaterThanOrEqual(4);
    expect(messages.join("\n")).toMatch(/docker/i);

    // Another internal service subscribed to the deployment events: backups made a default policy.
    const policy = await eventually(async () => {
      const r = await alice.get(`/api/apps/${id}/backup-policy`);
      return r.status === 200 ? r.body : undefined;
    });
    expect(policy).toMatchObject({ enabled: false });
  });

  it("ownership - another user's app answers 404, the admin sees it, anonymous gets 401", async () => {
    const res = await alice.post("/api/apps", { catalog_id: "hello-nginx", hostname: "alice-site" });
    expect(res.status).toBe(202);
    const id = res.body.id;
    expect((await bob.get(`/api/apps/${id}`)).status).toBe(404);
    expect((await bob.get(`/api/apps/${id}/logs`)).status).toBe(404);
    expect((await bob.get("/api/apps")).body.items.map((a: { id: string }) => a.id)).not.toContain(id);
    expect((await admin.get(`/api/apps/${id}`)).status).toBe(200);
    const anonymous = new GatewayClient(platform.url);
    const denied = await anonymous.get(`/api/apps/${id}`);
    expect(denied.status).toBe(401);
    expect(denied.body).toEqual({ detail: expect.any(String) });
  });

  it("validation and CSRF - bad input and forged requests change nothing", async () => {
    const before = (await alice.get("/api/apps")).body.total;
    const bad = await alice.post("/api/apps", { catalog_id: "whoami", hostname: "-not_valid-" });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toBeTypeOf("string");
    const unknown = await alice.post("/api/apps", { catalog_id: "no-such-app", hostname: "fine-name" });
    expect(unknown.status).toBe(400);
    const forged = await alice.request(
      "POST",
      "/api/apps",
      { catalog_id: "whoami", hostname: "csrf-less" },
      { withCsrf: false },
    );
    expect(forged.status).toBe(403);
    const duplicate = await alice.post("/api/apps", { catalog_id: "whoami", hostname: "alice-whoami" });
    expect(duplicate.status).toBe(409);
    expect((await alice.get("/api/apps")).body.total).toBe(before);
  });

  it("credentials - no host credential is stored in any table of any service", async () => {
    const { tokenSecret, sshPassword } = platform.simulatorCredentials;
    // Binary and JSON columns searched decoded (bytea as bytes, hex and base64; outbox payloads as
    // events), so a credential stored in a bytea column would be found too.
    const tables = await dumpAllTables(platform.databaseUrl);
    expect(tables.size).toBeGreaterThan(10);
    expect(tables.get("hosts.outbox")).toContain(hostId); // HostRegistered, decoded
    for (const [table, text] of tables) {
      for (const encoded of [...encodingsOf(tokenSecret), ...encodingsOf(sshPassword)])
        expect(text.includes(encoded), `a credential in ${table}`).toBe(false);
    }
    const host = await admin.get(`/api/proxmox/hosts/${hostId}`);
    expect(JSON.stringify(host.body)).not.toContain(tokenSecret);
    expect(JSON.stringify(host.body)).not.toContain(sshPassword);
  });
});
