/**
 * Observation and reconciliation, end to end: a host that stops answering changes no app record
 * and deletes nothing, an action during the outage fails cleanly, and a reachable host's
 * containers removed or stopped behind Proximity's back are reported as needing attention
 * (never "fixed" by deleting the app). Metrics come from the same observations.
 */
import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type Platform, startPlatform } from "../src/index.js";
import { createUser, deployRunning, FAST_RETRIES, pveApi, pveTaskDone, settled } from "./support/apps.js";

const OBSERVE_INTERVAL_MS = 500;

let platform: Platform;
let admin: GatewayClient;
let alice: GatewayClient;

beforeAll(async () => {
  platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    provisionerEnv: {
      ...FAST_RETRIES,
      OBSERVE_INTERVAL_MS: String(OBSERVE_INTERVAL_MS),
      OBSERVE_TIMEOUT_MS: "1000",
      // Once the host is back, the provisioner tries it again soon (the default waits 30 s).
      PROVISIONER_BREAKER_RESET_MS: "1000",
    },
    applicationsEnv: { METRICS_STALE_AFTER_MS: "3000" },
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000" },
  });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  expect((await admin.post("/api/proxmox/hosts", platform.hostRegistration())).status).toBe(201);
  ({ client: alice } = await createUser(platform, admin, "alice"));
}, 120_000);

afterAll(async () => {
  platform?.sim.setHostDown(false);
  await platform?.stop();
});

async function getApp(id: string) {
  const res = await alice.get(`/api/apps/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Waits until the app shows metrics, then returns them. */
async function metricsOf(id: string) {
  return eventually(async () => (await getApp(id)).metrics ?? undefined, {
    timeoutMs: 30_000,
    what: `metrics of ${id}`,
  });
}

/** The app whose stop failed during the outage (set by the outage test, checked by the next one). */
let outage: { appId: string; vmid: number } | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("host outage and reconciliation, end to end", () => {
  it("metrics: running apps show cpu and memory from the observations", async () => {
    const app = await deployRunning(alice, "metered");
    const metrics = await metricsOf(app.id);
    expect(metrics).toMatchObject({
      cpu: expect.any(Number),
      mem_bytes: expect.any(Number),
      max_mem_bytes: expect.any(Number),
    });
    expect(metrics.max_mem_bytes).toBeGreaterThan(0);
    expect(metrics.mem_bytes).toBeGreaterThanOrEqual(0);
    expect(metrics.cpu).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(metrics.sampled_at))).toBe(false);
    // Listed apps carry them too.
    const listed = (await alice.get("/api/apps")).body.items.find((a: { id: string }) => a.id === app.id);
    expect(listed.metrics).not.toBeNull();
  });

  it("host down: records unchanged, nothing deleted, a stop fails cleanly; host back: actions work", async () => {
    const one = await deployRunning(alice, "outage-one");
    const two = await deployRunning(alice, "outage-two");
    await metricsOf(one.id);
    const containersBefore = platform.sim.containers();

    platform.sim.setHostDown(true);
    try {
      // Several observation rounds find the host silent: that is no evidence about the apps.
      await sleep(OBSERVE_INTERVAL_MS * 8);
      for (const app of [one, two]) {
        const now = await getApp(app.id);
        expect(now).toMatchObject({ status: "running", attention: null, vmid: app.vmid, port: app.port });
        expect(now.status_message).toBeNull();
      }
      // Old metrics are not passed off as current ones.
      await eventually(async () => (await getApp(one.id)).metrics === null || undefined, {
        timeoutMs: 15_000,
        what: "stale metrics hidden",
      });

      // A stop cannot reach the host: it ends (within the retry budget) with the reason shown.
      const stop = await alice.post(`/api/apps/${one.id}/action`, { action: "stop" });
      expect(stop.status, JSON.stringify(stop.body)).toBe(202);
      expect(stop.body.status).toBe("stopping");
      const after = await settled(alice, one.id, 60_000);
      outage = { appId: one.id, vmid: one.vmid };
      expect(["running", "stopped", "error"]).toContain(after.status);
      expect(after.current_operation).toBeNull();
      expect(after.status_message, "the failure is explained").toMatch(/\w{4,}/);
      expect(after.status_message).toMatch(/host|reach|connect|answer|unavailable/i);
      const logs = (await alice.get(`/api/apps/${one.id}/logs?limit=1000`)).body.items;
      expect(logs.map((l: { message: string }) => l.message).join("\n")).toMatch(/stop failed/i);

      // The other app was not touched, nothing was deleted on the host.
      expect(await getApp(two.id)).toMatchObject({ status: "running", attention: null });
      expect(platform.sim.containers()).toEqual(containersBefore);
    } finally {
      platform.sim.setHostDown(false);
    }

    // Host back: actions work again.
    await sleep(1500); // the provisioner's circuit breaker (reset 1 s) lets calls through again
    const stopTwo = await alice.post(`/api/apps/${two.id}/action`, { action: "stop" });
    expect(stopTwo.status, JSON.stringify(stopTwo.body)).toBe(202);
    const stopped = await settled(alice, two.id);
    expect(stopped.status, stopped.status_message).toBe("stopped");
    expect(platform.sim.containers().find((c) => c.vmid === two.vmid)?.status).toBe("stopped");
    const startTwo = await alice.post(`/api/apps/${two.id}/action`, { action: "start" });
    expect(startTwo.status).toBe(202);
    expect((await settled(alice, two.id)).status).toBe("running");
  }, 180_000);

  it("after the outage, the app whose stop failed can be managed again (not left with delete as the only way out)", async () => {
    expect(outage, "the outage test ran first").toBeDefined();
    const { appId, vmid } = outage!;
    // Its container was never touched: it still runs.
    expect(platform.sim.containers().find((c) => c.vmid === vmid)?.status).toBe("running");
    // The owner can act on the app again within a few observation rounds (a stop that never
    // reached the host changed nothing): stopping it is accepted and works.
    const accepted = await eventually(
      async () => {
        const res = await alice.post(`/api/apps/${appId}/action`, { action: "stop" });
        return res.status === 202 ? res : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500, what: "a stop accepted after the outage" },
    ).catch(async (err: unknown) => {
      const app = await getApp(appId);
      const retry = await alice.post(`/api/apps/${appId}/action`, { action: "stop" });
      throw new Error(
        `the app stays ${app.status} ("${app.status_message}") and refuses a stop: ${retry.status} ${JSON.stringify(retry.body)}`,
        { cause: err },
      );
    });
    expect(accepted.body.status).toBe("stopping");
    expect((await settled(alice, appId)).status).toBe("stopped");
    expect(platform.sim.containers().find((c) => c.vmid === vmid)?.status).toBe("stopped");
  }, 120_000);

  it("container deleted behind Proximity's back: attention 'missing', the app is kept", async () => {
    const app = await deployRunning(alice, "vanishing");
    const stop = await pveApi(platform, "POST", `/nodes/${app.node}/lxc/${app.vmid}/status/stop`, {});
    expect(stop.status).toBe(200);
    await pveTaskDone(platform, app.node, stop.data);
    const destroy = await pveApi(platform, "DELETE", `/nodes/${app.node}/lxc/${app.vmid}`);
    expect(destroy.status).toBe(200);
    await pveTaskDone(platform, app.node, destroy.data);
    expect(platform.sim.containers().find((c) => c.vmid === app.vmid)).toBeUndefined();

    const flagged = await eventually(
      async () => {
        const now = await getApp(app.id);
        return now.attention ? now : undefined;
      },
      { timeoutMs: 30_000, what: "attention raised" },
    );
    expect(flagged.attention).toMatch(/not found|removed outside/i);
    expect(flagged.attention).toContain(String(app.vmid));
    // Reported, not acted upon: the app is still there, with its status and placement.
    expect(flagged).toMatchObject({ id: app.id, status: "running", vmid: app.vmid, current_operation: null });
    const logs = (await alice.get(`/api/apps/${app.id}/logs?limit=1000`)).body.items;
    expect(
      logs.some((l: { level: string; message: string }) => l.level === "warn" && /outside/i.test(l.message)),
    ).toBe(true);
    // Reported once: later observations do not repeat the log line.
    await sleep(OBSERVE_INTERVAL_MS * 6);
    const later = (await alice.get(`/api/apps/${app.id}/logs?limit=1000`)).body.items;
    expect(later.filter((l: { step: string }) => l.step === "attention")).toHaveLength(1);
    expect((await getApp(app.id)).status).toBe("running");
    // The owner can still remove the record.
    expect((await alice.delete(`/api/apps/${app.id}`)).status).toBe(202);
  }, 120_000);

  it("container stopped behind Proximity's back: attention 'changed outside', cleared once it runs again", async () => {
    const app = await deployRunning(alice, "tampered");
    const stop = await pveApi(platform, "POST", `/nodes/${app.node}/lxc/${app.vmid}/status/stop`, {});
    expect(stop.status).toBe(200);
    await pveTaskDone(platform, app.node, stop.data);

    const flagged = await eventually(
      async () => {
        const now = await getApp(app.id);
        return now.attention ? now : undefined;
      },
      { timeoutMs: 30_000, what: "attention raised" },
    );
    expect(flagged.attention).toMatch(/changed outside/i);
    expect(flagged.attention).toMatch(/stopped/);
    expect(flagged.status).toBe("running"); // the record is not rewritten from an observation
    expect(platform.sim.containers().find((c) => c.vmid === app.vmid)?.status).toBe("stopped");

    const start = await pveApi(platform, "POST", `/nodes/${app.node}/lxc/${app.vmid}/status/start`, {});
    expect(start.status).toBe(200);
    await pveTaskDone(platform, app.node, start.data);
    await eventually(async () => (await getApp(app.id)).attention === null || undefined, {
      timeoutMs: 30_000,
      what: "attention cleared",
    });
  }, 120_000);
});
