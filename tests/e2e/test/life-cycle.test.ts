import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type HttpResult, type Platform, startPlatform } from "../src/index.js";

/**
 * The whole life cycle of an app through the gateway's REST API, against the simulator: every action
 * from every state, update with rollback, clone with its clean-up, delete and retry of a failed deploy.
 */

let platform: Platform;
let admin: GatewayClient;
let alice: GatewayClient;
let bob: GatewayClient;

async function createUser(username: string): Promise<GatewayClient> {
  const password = `correct-horse-battery-${username.length}-staple`;
  const res = await admin.post("/api/users", { username, password, is_admin: false });
  expect(res.status).toBe(201);
  const client = new GatewayClient(platform.url);
  await client.login(username, password);
  return client;
}

const SETTLED = ["running", "stopped", "error"];

/** Waits until the app leaves its in-flight status; returns it. */
async function settled(client: GatewayClient, id: string, timeoutMs = 30_000) {
  return eventually(
    async () => {
      const r = await client.get(`/api/apps/${id}`);
      return SETTLED.includes(r.body.status) ? r.body : undefined;
    },
    { timeoutMs, what: `app ${id} settled` },
  );
}

async function deploy(client: GatewayClient, hostname: string, catalogId = "whoami") {
  const res = await client.post("/api/apps", { catalog_id: catalogId, hostname });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const app = await settled(client, res.body.id);
  expect(app.status, app.status_message).toBe("running");
  return app;
}

async function act(client: GatewayClient, id: string, action: string): Promise<HttpResult> {
  return client.post(`/api/apps/${id}/action`, { action });
}

function container(vmid: number) {
  return platform.sim.containers().find((c) => c.vmid === vmid);
}

/** Snapshots Proximity made of a container (read through the simulator's Proxmox API). */
async function proximitySnapshots(vmid: number): Promise<string[]> {
  const { tokenId, tokenSecret } = platform.simulatorCredentials;
  const res = await fetch(`${platform.simulator.baseUrl}/api2/json/nodes/pve1/lxc/${vmid}/snapshot`, {
    headers: { authorization: `PVEAPIToken=${tokenId}=${tokenSecret}` },
  });
  expect(res.status).toBe(200);
  const { data } = (await res.json()) as { data: { name: string }[] };
  return data.map((s) => s.name).filter((name) => name !== "current" && name.startsWith("proximity"));
}

beforeAll(async () => {
  platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    // Failures are retried a few times, quickly, so failure paths end within the test's time.
    provisionerEnv: {
      PROVISIONER_MAX_DELIVER: "3",
      PROVISIONER_BACKOFF_BASE_MS: "50",
      PROVISIONER_BACKOFF_MAX_MS: "200",
    },
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000" },
  });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  const host = await admin.post("/api/proxmox/hosts", platform.hostRegistration());
  expect(host.status).toBe(201);
  alice = await createUser("alice");
  bob = await createUser("bob");
});

afterAll(async () => {
  await platform?.stop();
});

describe("life cycle, end to end", () => {
  it("stop, start, restart: each goes through its in-flight status and the container follows", async () => {
    const app = await deploy(alice, "lc-power");
    expect(app.access_url).toBe(`http://${app.ip_address}:${app.port}`);

    const stop = await act(alice, app.id, "stop");
    expect(stop.status).toBe(202);
    expect(stop.body.status).toBe("stopping");
    const stopped = await settled(alice, app.id);
    expect(stopped.status).toBe("stopped");
    expect(stopped.access_url).toBeNull();
    expect(container(app.vmid)?.status).toBe("stopped");

    const start = await act(alice, app.id, "start");
    expect(start.status).toBe(202);
    expect(start.body.status).toBe("starting");
    expect((await settled(alice, app.id)).status).toBe("running");
    expect(container(app.vmid)?.status).toBe("running");

    const restart = await act(alice, app.id, "restart");
    expect(restart.status).toBe(202);
    expect(restart.body.status).toBe("restarting");
    expect((await settled(alice, app.id)).status).toBe("running");

    const logs = await alice.get(`/api/apps/${app.id}/logs?limit=1000`);
    const text = logs.body.items.map((l: { message: string }) => l.message).join("\n");
    expect(text).toMatch(/stop/i);
    expect(text).toMatch(/start/i);
    expect(text).toMatch(/restart/i);
  });

  it("invalid transitions answer 409 with the reason and change nothing; others' apps are 404", async () => {
    const app = await deploy(alice, "lc-invalid");
    // Running: start is invalid.
    const start = await act(alice, app.id, "start");
    expect(start.status).toBe(409);
    expect(start.body.detail).toMatch(/running/i);
    expect((await alice.get(`/api/apps/${app.id}`)).body.status).toBe("running");
    // Retry is only for failed deploys.
    expect((await act(alice, app.id, "retry")).status).toBe(409);
    // One operation at a time: while stopping, every other action is refused.
    expect((await act(alice, app.id, "stop")).status).toBe(202);
    for (const action of ["start", "stop", "restart", "update"]) {
      const r = await act(alice, app.id, action);
      if ((await alice.get(`/api/apps/${app.id}`)).body.status === "stopped") break;
      expect(r.status, `${action} while stopping`).toBe(409);
    }
    expect((await settled(alice, app.id)).status).toBe("stopped");
    // Stopped: stop is invalid, restart is not.
    expect((await act(alice, app.id, "stop")).status).toBe(409);
    // Another user cannot act on it and learns nothing.
    const foreign = await act(bob, app.id, "start");
    expect(foreign.status).toBe(404);
    expect((await alice.get(`/api/apps/${app.id}`)).body.status).toBe("stopped");
    // Unknown action: 400 at the field.
    expect((await act(alice, app.id, "explode")).status).toBe(400);
  });

  it("update: snapshot first, recreated, snapshot removed; the log says what happened", async () => {
    const app = await deploy(alice, "lc-update");
    const res = await act(alice, app.id, "update");
    expect(res.status).toBe(202);
    expect(res.body.status).toBe("updating");
    const after = await settled(alice, app.id);
    expect(after.status, after.status_message).toBe("running");
    expect(await proximitySnapshots(app.vmid)).toEqual([]);
    const commands = platform.sim.commandLog("pve1").map((c) => c.command);
    expect(commands.some((c) => c.includes("docker compose") && c.includes("pull"))).toBe(true);
    const logs = await alice.get(`/api/apps/${app.id}/logs?limit=1000`);
    expect(logs.body.items.map((l: { message: string }) => l.message).join("\n")).toMatch(/snapshot/i);
  });

  it("update failure rolls back: the app runs as before, data intact, no snapshot left", async () => {
    const app = await deploy(alice, "lc-rollback");
    const composeBefore = platform.sim.guestFile(app.vmid, `/opt/proximity/${app.id}/docker-compose.yml`);
    expect(composeBefore).toBeDefined();
    const fault = platform.sim.addFault({
      match: { vmid: app.vmid, image: "whoami" },
      effect: { kind: "image-pull-failure" },
    });
    try {
      expect((await act(alice, app.id, "update")).status).toBe(202);
      const after = await settled(alice, app.id);
      expect(after.status).toBe("running");
      expect(after.status_message).toMatch(/roll/i);
    } finally {
      platform.sim.removeFault(fault);
    }
    expect(container(app.vmid)?.status).toBe("running");
    expect(await proximitySnapshots(app.vmid)).toEqual([]);
    expect(platform.sim.guestFile(app.vmid, `/opt/proximity/${app.id}/docker-compose.yml`)).toEqual(
      composeBefore,
    );
  });

  it("clone: a new app of the requester, new VMID, hostname and port; the source keeps running", async () => {
    const source = await deploy(alice, "lc-source");
    const res = await alice.post(`/api/apps/${source.id}/clone`, { new_hostname: "lc-copy" });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ hostname: "lc-copy", status: "cloning" });
    const clone = await settled(alice, res.body.id);
    expect(clone.status, clone.status_message).toBe("running");
    expect(clone.vmid).not.toBe(source.vmid);
    expect(clone.port).not.toBe(source.port);
    expect(clone.owner_id).toBe(source.owner_id);
    expect(container(clone.vmid)).toMatchObject({ hostname: "lc-copy", status: "running" });
    expect(container(source.vmid)?.status).toBe("running");
    expect((await alice.get(`/api/apps/${source.id}`)).body.status).toBe("running");
    expect(await proximitySnapshots(source.vmid)).toEqual([]);
    // Another user may not clone it.
    expect((await bob.post(`/api/apps/${source.id}/clone`, { new_hostname: "bob-copy" })).status).toBe(404);
  });

  it("clone failure leaves no snapshot and no container, and the source usable", async () => {
    const source = await deploy(alice, "lc-clone-src");
    const before = platform.sim.containers().length;
    const fault = platform.sim.addFault({
      match: { taskType: "vzclone" },
      effect: { kind: "task-failure", message: "clone failed: no space left" },
    });
    let clone: { id: string; status: string };
    try {
      const res = await alice.post(`/api/apps/${source.id}/clone`, { new_hostname: "lc-clone-bad" });
      expect(res.status).toBe(202);
      clone = await settled(alice, res.body.id);
    } finally {
      platform.sim.removeFault(fault);
    }
    expect(clone.status).toBe("error");
    expect(platform.sim.containers().length).toBe(before);
    expect(await proximitySnapshots(source.vmid)).toEqual([]);
    expect((await act(alice, source.id, "restart")).status).toBe(202);
    expect((await settled(alice, source.id)).status).toBe("running");
    // The failed clone can be deleted.
    expect((await alice.delete(`/api/apps/${clone.id}`)).status).toBe(202);
    await eventually(async () => (await alice.get(`/api/apps/${clone.id}`)).status === 404 || undefined);
  });

  it("delete: container destroyed with purge, hostname free again; a failed deploy can be deleted", async () => {
    const app = await deploy(alice, "lc-delete");
    const res = await alice.delete(`/api/apps/${app.id}`);
    expect(res.status).toBe(202);
    expect(res.body.status).toBe("removing");
    await eventually(async () => (await alice.get(`/api/apps/${app.id}`)).status === 404 || undefined, {
      timeoutMs: 30_000,
    });
    expect(container(app.vmid)).toBeUndefined();
    // The hostname and the port can be used again.
    const again = await deploy(alice, "lc-delete");
    expect(again.id).not.toBe(app.id);

    // A deploy that fails (the host rejects container creation) ends in error and can be removed.
    const fault = platform.sim.addFault({
      match: { method: "POST", path: "/nodes/pve1/lxc$" },
      effect: { kind: "http-error", status: 500, message: "storage full" },
    });
    let failed: { id: string; status: string };
    try {
      const res2 = await alice.post("/api/apps", { catalog_id: "whoami", hostname: "lc-doomed" });
      expect(res2.status).toBe(202);
      failed = await settled(alice, res2.body.id, 60_000);
    } finally {
      platform.sim.removeFault(fault);
    }
    expect(failed.status).toBe("error");
    // Retry brings it up now that the host accepts it.
    expect((await act(alice, failed.id, "retry")).status).toBe(202);
    const retried = await settled(alice, failed.id, 60_000);
    expect(retried.status, retried.status_message).toBe("running");
    expect((await alice.delete(`/api/apps/${failed.id}`)).status).toBe(202);
    await eventually(async () => (await alice.get(`/api/apps/${failed.id}`)).status === 404 || undefined, {
      timeoutMs: 30_000,
    });
  });
});
