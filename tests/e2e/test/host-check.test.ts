/**
 * Host checks, end to end: POST …/test goes gateway → hosts (HostCheckRequested) → provisioner
 * (Proxmox simulator) → HostChecked → hosts, and GET host shows the result.
 */
import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type Platform, startPlatform } from "../src/index.js";

let platform: Platform;
let admin: GatewayClient;
let hostId: string;

beforeAll(async () => {
  platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    // On-demand checks only: the periodic round would race the assertions below.
    hostsEnv: { HOST_CHECK_INTERVAL_MS: "0" },
    provisionerEnv: { HOST_CHECK_TIMEOUT_MS: "1000" },
  });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  const host = await admin.post("/api/proxmox/hosts", platform.hostRegistration());
  expect(host.status).toBe(201);
  expect(host.body).toMatchObject({ status: "unknown", last_checked_at: null, pve_version: null });
  hostId = host.body.id;
});

afterAll(async () => {
  await platform?.stop();
});

/** POSTs a check and waits until GET host shows a check newer than `after` with `status`. */
async function checkUntil(action: "test" | "sync-nodes", status: string) {
  const before = (await admin.get(`/api/proxmox/hosts/${hostId}`)).body.last_checked_at;
  const res = await admin.post(`/api/proxmox/hosts/${hostId}/${action}`, {});
  expect(res.status).toBe(202);
  expect(res.body.check_id).toMatch(/^[0-9a-f-]{36}$/);
  return eventually(
    async () => {
      const host = (await admin.get(`/api/proxmox/hosts/${hostId}`)).body;
      return host.last_checked_at !== before && host.status === status ? host : undefined;
    },
    { timeoutMs: 15_000, what: `host ${status} after ${action}` },
  );
}

describe("host checks, end to end", () => {
  it("host check - test marks the simulator reachable with its version and node stats", async () => {
    const host = await checkUntil("test", "reachable");
    expect(host.pve_version).toMatch(/^\d+\.\d+/);
    expect(host.last_check_error).toBeNull();
    expect(host.nodes).toEqual([
      expect.objectContaining({ name: "pve1", status: "online", max_mem_bytes: expect.any(Number) }),
    ]);
    expect(host.nodes[0].max_mem_bytes).toBeGreaterThan(0);
    expect(host.nodes[0].cpu).toBeGreaterThanOrEqual(0);
  });

  it("host check - a simulator that is down is marked unreachable, then reachable again", async () => {
    platform.sim.setHostDown(true);
    try {
      const down = await checkUntil("test", "unreachable");
      expect(down.last_check_error).toBe("Proxmox host did not answer");
      // Last known figures are kept while the host does not answer.
      expect(down.nodes[0]).toMatchObject({ name: "pve1", status: "online" });
    } finally {
      platform.sim.setHostDown(false);
    }
    const back = await checkUntil("sync-nodes", "reachable");
    expect(back.last_check_error).toBeNull();
    expect(back.nodes[0]).toMatchObject({ name: "pve1", status: "online" });
  });

  it("host check - PUT replaces the API secret: a wrong one is refused, the right one works again", async () => {
    const wrong = await admin.request("PUT", `/api/proxmox/hosts/${hostId}`, {
      api_secret: "00000000-0000-4000-8000-000000000000",
    });
    expect(wrong.status).toBe(200);
    expect(JSON.stringify(wrong.body)).not.toContain("00000000-0000-4000-8000-000000000000");
    const refused = await checkUntil("test", "unreachable");
    expect(refused.last_check_error).toBe("Proxmox rejected the stored credentials");
    const right = await admin.request("PUT", `/api/proxmox/hosts/${hostId}`, {
      api_secret: platform.simulatorCredentials.tokenSecret,
    });
    expect(right.status).toBe(200);
    await checkUntil("test", "reachable");
  });

  it("host check - anonymous callers get 401, non-admins 403", async () => {
    const anonymous = new GatewayClient(platform.url);
    expect((await anonymous.post(`/api/proxmox/hosts/${hostId}/test`, {})).status).toBe(401);
    const password = "correct-horse-battery-staple-e2e";
    expect((await admin.post("/api/users", { username: "carol", password, is_admin: false })).status).toBe(
      201,
    );
    const carol = new GatewayClient(platform.url);
    await carol.login("carol", password);
    expect((await carol.post(`/api/proxmox/hosts/${hostId}/test`, {})).status).toBe(403);
    expect((await carol.request("PUT", `/api/proxmox/hosts/${hostId}`, { port: 8007 })).status).toBe(403);
  });
});

describe("SSH trust on first use, end to end", () => {
  it("tofu - an admin-approved node gets the simulator's key pinned by a check, then takes deploys", async () => {
    const registration = platform.hostRegistration("simulator-tofu");
    const nodes = (registration.nodes as Record<string, unknown>[]).map((n) => ({
      ...n,
      ssh_host_key_fingerprint: "",
      trust_on_first_use: true,
    }));
    // Without the admin's consent an empty key is refused.
    const refused = await admin.post("/api/proxmox/hosts", {
      ...registration,
      nodes: nodes.map((n) => ({ ...n, trust_on_first_use: false })),
    });
    expect(refused.status).toBe(400);
    const created = await admin.post("/api/proxmox/hosts", { ...registration, nodes });
    expect(created.status).toBe(201);
    expect(created.body.nodes[0]).toMatchObject({ ssh_host_key_fingerprint: "", trust_on_first_use: true });
    const tofuId: string = created.body.id;

    expect((await admin.post(`/api/proxmox/hosts/${tofuId}/test`, {})).status).toBe(202);
    const pinned = await eventually(
      async () => {
        const host = (await admin.get(`/api/proxmox/hosts/${tofuId}`)).body;
        return host.nodes[0].ssh_host_key_fingerprint !== "" ? host : undefined;
      },
      { timeoutMs: 15_000, what: "host key pinned" },
    );
    expect(pinned.nodes[0]).toMatchObject({
      ssh_host_key_fingerprint: platform.simulator.nodes[0]!.hostKeyFingerprint,
      trust_on_first_use: false,
    });

    const res = await admin.post("/api/apps", {
      catalog_id: "whoami",
      hostname: "tofu-whoami",
      host_id: tofuId,
      node: "pve1",
    });
    expect(res.status).toBe(202);
    const app = await eventually(
      async () => {
        const r = await admin.get(`/api/apps/${res.body.id}`);
        if (r.body.status === "error") throw new Error(`deploy failed: ${r.body.status_message}`);
        return r.body.status === "running" ? r.body : undefined;
      },
      { timeoutMs: 30_000, what: "app running on the pinned node" },
    );
    expect(app).toMatchObject({ host_id: tofuId, node: "pve1" });
  });
});
