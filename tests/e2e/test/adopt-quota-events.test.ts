/**
 * Discovery and adoption of containers Proximity did not make, app quotas, the live event stream
 * of an app, and host deletion guarded against live apps (also when a deploy races it), end to end.
 */
import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type HttpResult, type Platform, startPlatform } from "../src/index.js";
import {
  createUser,
  deployRunning,
  FAST_RETRIES,
  gone,
  pveApi,
  pveTaskDone,
  settled,
} from "./support/apps.js";
import { openSse, type SseEvent } from "./support/sse.js";

/** The provisioner's default container template (services/provisioner/src/config.ts LXC_TEMPLATE). */
const TEMPLATE = "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst";
const FOREIGN_VMID = 4242;

let platform: Platform;
let admin: GatewayClient;
let alice: GatewayClient;
let aliceId: string;
let bob: GatewayClient;
let hostId: string;

beforeAll(async () => {
  platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    provisionerEnv: { ...FAST_RETRIES },
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000", SSE_POLL_INTERVAL_MS: "200", SSE_HEARTBEAT_MS: "1000" },
  });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  const host = await admin.post("/api/proxmox/hosts", platform.hostRegistration());
  expect(host.status).toBe(201);
  hostId = host.body.id;
  ({ client: alice, id: aliceId } = await createUser(platform, admin, "alice"));
  ({ client: bob } = await createUser(platform, admin, "bob"));
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

async function containerConfig(vmid: number): Promise<Record<string, unknown>> {
  const res = await pveApi(platform, "GET", `/nodes/pve1/lxc/${vmid}/config`);
  expect(res.status).toBe(200);
  return res.data as Record<string, unknown>;
}

describe("discover and adopt, end to end", () => {
  it("a foreign container is discovered, adopted for alice untouched, refused a second time, and detached on delete", async () => {
    const own = await deployRunning(alice, "own-app");
    // Someone creates and starts a container on the host, outside Proximity.
    const create = await pveApi(platform, "POST", "/nodes/pve1/lxc", {
      vmid: FOREIGN_VMID,
      ostemplate: TEMPLATE,
      hostname: "legacy-wiki",
      storage: "local-lvm",
      cores: 1,
      memory: 256,
      net0: "name=eth0,bridge=vmbr0,ip=dhcp",
    });
    expect(create.status, JSON.stringify(create.data)).toBe(200);
    await pveTaskDone(platform, "pve1", create.data);
    const start = await pveApi(platform, "POST", `/nodes/pve1/lxc/${FOREIGN_VMID}/status/start`, {});
    expect(start.status).toBe(200);
    await pveTaskDone(platform, "pve1", start.data);
    const configBefore = await containerConfig(FOREIGN_VMID);

    // Discovery: admins only; lists the foreign container and not Proximity's own.
    expect((await alice.get(`/api/apps/discover?host_id=${hostId}`)).status).toBe(403);
    const found = await admin.get(`/api/apps/discover?host_id=${hostId}`);
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    const vmids = found.body.items.map((c: { vmid: number }) => c.vmid);
    expect(vmids).not.toContain(own.vmid);
    expect(found.body.items.find((c: { vmid: number }) => c.vmid === FOREIGN_VMID)).toMatchObject({
      node: "pve1",
      name: "legacy-wiki",
      status: "running",
      tags: expect.any(Array),
    });

    // Adoption for alice, by an admin.
    expect(
      (await alice.post("/api/apps/adopt", { host_id: hostId, node: "pve1", vmid: FOREIGN_VMID })).status,
    ).toBe(403);
    const adopt = await admin.post("/api/apps/adopt", {
      host_id: hostId,
      node: "pve1",
      vmid: FOREIGN_VMID,
      owner_id: aliceId,
    });
    expect(adopt.status, JSON.stringify(adopt.body)).toBe(202);
    expect(adopt.body).toMatchObject({
      status: "adopting",
      adopted: true,
      owner_id: aliceId,
      vmid: FOREIGN_VMID,
    });
    const adopted = await settled(alice, adopt.body.id);
    expect(adopted.status, adopted.status_message).toBe("running");
    expect(adopted).toMatchObject({
      owner_id: aliceId,
      hostname: "legacy-wiki",
      adopted: true,
      node: "pve1",
    });
    expect((await bob.get(`/api/apps/${adopted.id}`)).status).toBe(404);
    expect((await alice.get("/api/apps")).body.items.map((a: { id: string }) => a.id)).toContain(adopted.id);
    // Now managed: no longer discovered, and a second adoption is refused.
    const after = await admin.get(`/api/apps/discover?host_id=${hostId}`);
    expect(after.body.items.map((c: { vmid: number }) => c.vmid)).not.toContain(FOREIGN_VMID);
    const again = await admin.post("/api/apps/adopt", { host_id: hostId, node: "pve1", vmid: FOREIGN_VMID });
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    // Also under another name: the container itself is taken, not only its name.
    const renamed = await admin.post("/api/apps/adopt", {
      host_id: hostId,
      node: "pve1",
      vmid: FOREIGN_VMID,
      hostname: "wiki-again",
    });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(409);
    expect(renamed.body.detail).toMatch(String(FOREIGN_VMID));
    // Adoption changed nothing in the container.
    expect(await containerConfig(FOREIGN_VMID)).toEqual(configBefore);
    expect(platform.sim.containers().find((c) => c.vmid === FOREIGN_VMID)?.status).toBe("running");

    // Only an admin may destroy an adopted container; the owner's delete detaches it.
    expect((await alice.delete(`/api/apps/${adopted.id}?destroy_container=true`)).status).toBe(403);
    const del = await alice.delete(`/api/apps/${adopted.id}`);
    expect(del.status, JSON.stringify(del.body)).toBe(202);
    await gone(alice, adopted.id);
    const container = platform.sim.containers().find((c) => c.vmid === FOREIGN_VMID);
    expect(container, "the adopted container survives its app").toMatchObject({ status: "running" });
    expect(await containerConfig(FOREIGN_VMID)).toEqual(configBefore);
    // Detached, it can be discovered again.
    const rediscovered = await admin.get(`/api/apps/discover?host_id=${hostId}`);
    expect(rediscovered.body.items.map((c: { vmid: number }) => c.vmid)).toContain(FOREIGN_VMID);
  }, 120_000);
});

describe("quotas, end to end", () => {
  it("a user at their quota is refused a deploy with a clear reason and nothing is created; concurrent deploys cannot overshoot it", async () => {
    const { client: carol, id: carolId } = await createUser(platform, admin, "carol");
    const set = await admin.request("PUT", `/api/users/${carolId}/quota`, { max_apps: 2 });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ user_id: carolId, max_apps: 2, used: 0, is_default: false });
    expect((await carol.request("PUT", `/api/users/${carolId}/quota`, { max_apps: 100 })).status).toBe(403);

    const first = await deployRunning(carol, "quota-1");
    const second = await deployRunning(carol, "quota-2");
    const containers = platform.sim.containers().length;
    const third = await carol.post("/api/apps", { catalog_id: "whoami", hostname: "quota-3" });
    expect([403, 409], JSON.stringify(third.body)).toContain(third.status);
    expect(third.body.detail).toMatch(/quota/i);
    expect(third.body.detail).toMatch(/2/);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await carol.get("/api/apps")).body.total).toBe(2);
    expect(platform.sim.containers()).toHaveLength(containers);
    expect((await admin.get(`/api/users/${carolId}/quota`)).body).toMatchObject({ max_apps: 2, used: 2 });
    // The hostname was not taken by the refused request.
    expect((await admin.get("/api/apps?search=quota-3")).body.total).toBe(0);

    // Deleting frees the slots; five deploys at once then get exactly two.
    for (const app of [first, second]) expect((await carol.delete(`/api/apps/${app.id}`)).status).toBe(202);
    await gone(carol, first.id);
    await gone(carol, second.id);
    expect((await admin.get(`/api/users/${carolId}/quota`)).body).toMatchObject({ used: 0 });
    const burst: HttpResult[] = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        carol.post("/api/apps", { catalog_id: "whoami", hostname: `burst-${i}` }),
      ),
    );
    const statuses = burst.map((r) => r.status).sort();
    expect(statuses, JSON.stringify(burst.map((r) => r.body))).toEqual([202, 202, 403, 403, 403]);
    for (const res of burst.filter((r) => r.status === 202))
      expect((await settled(carol, res.body.id)).status).toBe("running");
    expect((await carol.get("/api/apps")).body.total).toBe(2);
    expect((await admin.get(`/api/users/${carolId}/quota`)).body).toMatchObject({ used: 2 });
  }, 180_000);
});

describe("server-sent events, end to end", () => {
  const logIds = (events: SseEvent[]) => events.filter((e) => e.event === "log").map((e) => Number(e.id));

  it("the event stream shows a deploy's log lines with ids and its status; a reconnect resumes after Last-Event-ID", async () => {
    const res = await alice.post("/api/apps", { catalog_id: "whoami", hostname: "streamed" });
    expect(res.status).toBe(202);
    const id: string = res.body.id;
    const url = `${platform.url}/api/apps/${id}/events`;

    const stream = await openSse(url, { cookie: alice.cookie });
    try {
      expect(stream.status).toBe(200);
      await stream.waitFor((e) => e.event === "status" && e.data.status === "running", "status running");
      // The first poll's lines come before its status; statuses only move forward.
      const statuses = stream.events.filter((e) => e.event === "status").map((e) => e.data.status);
      expect(statuses.at(-1)).toBe("running");
      for (const status of statuses) expect(["deploying", "running"]).toContain(status);
      const logs = stream.events.filter((e) => e.event === "log");
      expect(logs.length).toBeGreaterThanOrEqual(3);
      for (const log of logs) {
        expect(log.id).toMatch(/^\d+$/);
        expect(Number(log.id)).toBe(log.data.id);
        expect(log.data).toMatchObject({ level: expect.any(String), message: expect.any(String) });
      }
      const ids = logIds(stream.events);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
      // The stream carried the same lines /logs has, up to the success line.
      const page = (await alice.get(`/api/apps/${id}/logs?limit=1000`)).body.items.map(
        (l: { id: number }) => l.id,
      );
      expect(ids).toEqual(page.slice(0, ids.length));
      await stream.waitFor((e) => e.event === "log" && e.data.step === "succeeded", "success line");
    } finally {
      stream.close();
    }
    const ids = logIds(stream.events);

    // Reconnect after the second line: only the lines after it come again.
    const resumed = await openSse(url, { cookie: alice.cookie, lastEventId: String(ids[1]) });
    try {
      expect(resumed.status).toBe(200);
      await resumed.waitFor((e) => e.event === "status" && e.data.status === "running", "status");
      await resumed.waitFor((e) => e.event === "log" && Number(e.id) === ids.at(-1), "the newest line");
      expect(logIds(resumed.events)).toEqual(ids.slice(2));
    } finally {
      resumed.close();
    }

    // Reconnect at the newest line, then act: only the new lines arrive.
    const newest = ids.at(-1)!;
    const live = await openSse(url, { cookie: alice.cookie, lastEventId: String(newest) });
    try {
      await live.waitFor((e) => e.event === "status", "first status");
      expect((await alice.post(`/api/apps/${id}/action`, { action: "restart" })).status).toBe(202);
      await live.waitFor((e) => e.event === "log" && /restart/i.test(e.data.message), "restart line");
      await live.waitFor((e) => e.event === "log" && e.data.step === "succeeded", "restart succeeded line");
      // A restart may be quicker than a poll (its "restarting" unseen); the latest status is running.
      await eventually(
        async () =>
          live.events.filter((e) => e.event === "status").at(-1)?.data.status === "running" || undefined,
        { what: "running again" },
      );
      const newIds = logIds(live.events);
      expect(newIds.length).toBeGreaterThan(0);
      for (const n of newIds) expect(n).toBeGreaterThan(newest);
    } finally {
      live.close();
    }

    // Other users learn nothing; anonymous callers are not let in.
    const foreign = await openSse(url, { cookie: bob.cookie });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: "App not found" });
    const anonymous = await openSse(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ detail: expect.any(String) });
    expect((await openSse(url, { cookie: alice.cookie, lastEventId: "abc" })).status).toBe(400);

    // Deleting the app ends its stream with a final "deleted" status.
    const final = await openSse(url, { cookie: alice.cookie });
    try {
      await final.waitFor((e) => e.event === "status", "first status");
      expect((await alice.delete(`/api/apps/${id}`)).status).toBe(202);
      await final.waitFor((e) => e.event === "status" && e.data.status === "deleted", "deleted", 60_000);
    } finally {
      final.close();
    }
  }, 180_000);
});

describe("host deletion, end to end", () => {
  it("a host with live apps cannot be deleted", async () => {
    const app = await deployRunning(alice, "keeps-host");
    const del = await admin.delete(`/api/proxmox/hosts/${hostId}`);
    expect(del.status, JSON.stringify(del.body)).toBe(409);
    expect(del.body.detail).toMatch(/app/i);
    expect((await admin.get(`/api/proxmox/hosts/${hostId}`)).status).toBe(200);
    // The refusal left the host usable.
    expect((await alice.get(`/api/apps/${app.id}`)).body.status).toBe("running");
    const more = await deployRunning(alice, "after-refusal");
    expect(more.host_id).toBe(hostId);
  }, 120_000);

  it("a deploy racing the deletion of its host never leaves an app on a deleted host", async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const reg = await admin.post("/api/proxmox/hosts", platform.hostRegistration(`race-${i}`));
      expect(reg.status, JSON.stringify(reg.body)).toBe(201);
      const raceHost: string = reg.body.id;
      const delay = (i % 4) * 3; // vary the interleaving a little
      const [deploy, del] = await Promise.all([
        admin.post("/api/apps", {
          catalog_id: "whoami",
          hostname: `race-${i}`,
          host_id: raceHost,
          node: "pve1",
        }),
        new Promise((r) => setTimeout(r, delay)).then(() => admin.delete(`/api/proxmox/hosts/${raceHost}`)),
      ]);
      outcomes.push(`${deploy.status}/${del.status}`);
      expect([202, 400, 404, 409], `deploy: ${JSON.stringify(deploy.body)}`).toContain(deploy.status);
      expect([204, 409], `host delete: ${JSON.stringify(del.body)}`).toContain(del.status);
      expect(
        deploy.status === 202 && del.status === 204,
        "both the deploy and the host deletion went through",
      ).toBe(false);

      // Every app that exists is on a host that exists.
      const hosts = new Set(
        (await admin.get("/api/proxmox/hosts?per_page=100")).body.items.map((h: { id: string }) => h.id),
      );
      const apps = (await admin.get("/api/apps?per_page=100")).body.items;
      for (const app of apps)
        expect(hosts.has(app.host_id), `app ${app.hostname} on a deleted host`).toBe(true);

      if (deploy.status === 202) {
        // The deploy won: let it finish, remove it, and the host can go.
        const app = await settled(admin, deploy.body.id);
        expect(app.status, app.status_message).toBe("running");
        expect(app.host_id).toBe(raceHost);
        expect((await admin.delete(`/api/apps/${app.id}`)).status).toBe(202);
        await gone(admin, app.id);
        const retry = await admin.delete(`/api/proxmox/hosts/${raceHost}`);
        expect(retry.status, JSON.stringify(retry.body)).toBe(204);
      }
      expect((await admin.get(`/api/proxmox/hosts/${raceHost}`)).status).toBe(404);
    }
    // No container was left behind by a refused deploy (only the apps of the other tests remain).
    await eventually(
      async () => {
        const live = (await admin.get("/api/apps?per_page=100")).body.items.map(
          (a: { vmid: number }) => a.vmid,
        );
        const strays = platform.sim
          .containers()
          .filter((c) => c.vmid !== FOREIGN_VMID && !live.includes(c.vmid));
        return strays.length === 0 || undefined;
      },
      { timeoutMs: 30_000, what: `no stray container (outcomes ${outcomes.join(", ")})` },
    );
  }, 300_000);
});
