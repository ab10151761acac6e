/**
 * Power, delete, discovery and metrics through the raw API as the provisioner drives them; every
 * request and answer is schema-checked by the fixture.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { containerUsage } from "../src/metrics.js";
import { createContainerRecord, markRunning } from "../src/state/container.js";
import { createCt, type SimHarness, startSim, TOKEN } from "./support/sim-fixture.js";

type Row = Record<string, unknown>;

describe("life cycle api", () => {
  let h: SimHarness;
  beforeAll(async () => {
    // Tasks long enough for the lock test to see a lock held (2-core machine).
    h = await startSim({ taskDurationMs: 250 });
    await createCt(h, "pve1", 800, {
      start: 1,
      memory: 1024,
      rootfs: "local-lvm:8",
      tags: "proximity;app-8",
    });
    await createCt(h, "pve1", 801);
  });
  afterEach(() => h.sim.clearFaults());
  afterAll(() => h.sim.stop());

  const post = (path: string, params: Record<string, string | number> = {}) => h.call("POST", path, params);
  const task = async (method: string, path: string, params: Record<string, string | number> = {}) => {
    const r = await h.call(method, path, params);
    expect(r.status, r.body.message).toBe(200);
    return h.waitTask("pve1", r.body.data as string);
  };
  const statusOf = (vmid: number) => h.sim.containers().find((c) => c.vmid === vmid)?.status;

  it("power - the running state is checked before the task: misuse is a synchronous 500 with PVE's texts", async () => {
    expect((await post("/nodes/pve1/lxc/800/status/start")).body.message).toBe("CT 800 already running\n");
    expect((await post("/nodes/pve1/lxc/801/status/stop")).body.message).toBe("CT 801 not running\n");
    expect((await post("/nodes/pve1/lxc/801/status/shutdown")).body.message).toBe("CT 801 not running\n");
    expect((await post("/nodes/pve1/lxc/801/status/reboot")).body.message).toBe("VM 801 not running\n");
    // A CT that does not exist runs nowhere: what stops it finds it not running.
    expect((await post("/nodes/pve1/lxc/899/status/stop")).body.message).toBe("CT 899 not running\n");
    // One running on another node does not run on this one.
    expect((await post("/nodes/pve2/lxc/800/status/stop")).body.message).toBe("CT 800 not running\n");
  });

  it("power - the configuration is read inside the task: a start of a CT that is not there fails its task", async () => {
    for (const [node, vmid] of [
      ["pve1", 899],
      ["pve2", 801],
    ] as const) {
      const r = await post(`/nodes/${node}/lxc/${vmid}/status/start`);
      expect(r.status).toBe(200);
      const done = await h.waitTask(node, r.body.data as string);
      expect(done.exitstatus).toBe(`Configuration file 'nodes/${node}/lxc/${vmid}.conf' does not exist`);
    }
    expect(statusOf(801)).toBe("stopped");
  });

  it("reboot - a running CT comes back running with its uptime restarted", async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const before = (await h.call("GET", "/nodes/pve1/lxc/800/status/current")).body.data as Row;
    expect(before.uptime).toBeGreaterThanOrEqual(1);
    expect((await task("POST", "/nodes/pve1/lxc/800/status/reboot")).exitstatus).toBe("OK");
    const after = (await h.call("GET", "/nodes/pve1/lxc/800/status/current")).body.data as Row;
    expect(after).toMatchObject({ status: "running", uptime: 0 });
  });

  it("shutdown-timeout - the task fails like lxc-stop and the CT keeps running; forceStop kills it", async () => {
    h.sim.addFault({ match: { vmid: 800 }, effect: { kind: "shutdown-timeout" } });
    const failed = await task("POST", "/nodes/pve1/lxc/800/status/shutdown", { timeout: 5 });
    expect(failed.exitstatus).toBe("command 'lxc-stop -n 800 --nokill --timeout 5' failed: exit code 1");
    expect(statusOf(800)).toBe("running");
    const forced = await task("POST", "/nodes/pve1/lxc/800/status/shutdown", { timeout: 5, forceStop: 1 });
    expect(forced.exitstatus).toBe("OK");
    expect(statusOf(800)).toBe("stopped");
    await task("POST", "/nodes/pve1/lxc/800/status/start");
    expect((await task("POST", "/nodes/pve1/lxc/800/status/stop")).exitstatus).toBe("OK"); // stop ignores it
    await task("POST", "/nodes/pve1/lxc/800/status/start");
  });

  it("shutdown-timeout - only the matching CT is affected, and `times` uses it up", async () => {
    await task("POST", "/nodes/pve1/lxc/801/status/start");
    h.sim.addFault({ match: { vmid: 800 }, effect: { kind: "shutdown-timeout" }, times: 1 });
    expect((await task("POST", "/nodes/pve1/lxc/801/status/shutdown")).exitstatus).toBe("OK");
    expect((await task("POST", "/nodes/pve1/lxc/800/status/shutdown")).exitstatus).toContain(
      "lxc-stop -n 800",
    );
    expect((await task("POST", "/nodes/pve1/lxc/800/status/shutdown")).exitstatus).toBe("OK");
    await task("POST", "/nodes/pve1/lxc/800/status/start");
  });

  it("locks - a CT locked by a running task: its power tasks fail on the lock, config edits and delete are refused", async () => {
    await task("POST", "/nodes/pve1/lxc/801/status/start");
    const r = await post("/nodes/pve1/lxc/801/snapshot", { snapname: "s1" });
    // The lock is checked inside each power task (under the config lock), not before it.
    for (const action of ["stop", "shutdown"]) {
      const started = await post(`/nodes/pve1/lxc/801/status/${action}`);
      expect(started.status).toBe(200);
      expect((await h.waitTask("pve1", started.body.data as string)).exitstatus).toBe(
        "CT is locked (snapshot)",
      );
    }
    expect(statusOf(801)).toBe("running");
    expect((await h.call("PUT", "/nodes/pve1/lxc/801/config", { memory: 256 })).body.message).toBe(
      "CT is locked (snapshot)\n",
    );
    expect((await h.call("DELETE", "/nodes/pve1/lxc/801")).body.message).toBe("CT is locked (snapshot)\n");
    await h.waitTask("pve1", r.body.data as string);
    await task("POST", "/nodes/pve1/lxc/801/status/stop");
    const locked = await post("/nodes/pve1/lxc/801/snapshot", { snapname: "s2" });
    const start = await post("/nodes/pve1/lxc/801/status/start");
    expect((await h.waitTask("pve1", start.body.data as string)).exitstatus).toBe("CT is locked (snapshot)");
    expect(statusOf(801)).toBe("stopped");
    await h.waitTask("pve1", locked.body.data as string);
  });

  it("snapshot names - must be a pve-configid (400 on the parameter)", async () => {
    const r = await h.call(
      "POST",
      "/nodes/pve1/lxc/801/snapshot",
      { snapname: "x" },
      { invalidParams: true },
    );
    expect([r.status, r.body.errors]).toEqual([
      400,
      { snapname: "invalid format - invalid configuration ID 'x'" },
    ]);
  });

  it("discovery and metrics - GET /nodes/{node}/lxc: running CTs report moving usage, stopped ones zeros", async () => {
    await createCt(h, "pve1", 802, { hostname: "foreign", memory: 256, start: 1 }); // not created by Proximity
    await task("POST", "/nodes/pve1/lxc/802/status/stop");
    const rows = (await h.call("GET", "/nodes/pve1/lxc")).body.data as Row[];
    expect(rows.map((r) => r.vmid)).toEqual([800, 801, 802]);
    const running = rows.find((r) => r.vmid === 800)!;
    expect(running).toMatchObject({
      status: "running",
      name: "ct800",
      tags: "proximity;app-8",
      maxmem: 1024 * 1024 ** 2,
    });
    expect(running.maxdisk).toBe(8 * 1024 ** 3);
    for (const k of ["cpu", "mem", "disk"]) expect(running[k]).toBeGreaterThan(0);
    expect(rows.find((r) => r.vmid === 802)).toMatchObject({
      status: "stopped",
      name: "foreign",
      cpu: 0,
      mem: 0,
      uptime: 0,
    });
    const config = (await h.call("GET", "/nodes/pve1/lxc/802/config")).body.data as Row;
    expect(config).toMatchObject({ hostname: "foreign", memory: 256 });
  });

  it("metrics - a running CT's cpu and mem drift with time and stay within bounds", () => {
    const ct = createContainerRecord(
      "pve1",
      900,
      { memory: 512, rootfs: "local-lvm:vm-900-disk-0,size=4G" },
      false,
    );
    markRunning(ct);
    const samples = [0, 5_000, 20_000, 60_000].map((dt) => containerUsage(ct, Date.now() + dt));
    expect(new Set(samples.map((s) => s.mem)).size).toBeGreaterThan(1);
    expect(new Set(samples.map((s) => s.cpu)).size).toBeGreaterThan(1);
    for (const s of samples) {
      expect(s.mem).toBeLessThanOrEqual(s.maxmem);
      expect(s.cpu).toBeLessThanOrEqual(1);
    }
  });

  it("delete - purge with destroy-unreferenced-disks removes the CT from every listing; running needs force", async () => {
    const running = await h.call("DELETE", "/nodes/pve1/lxc/800", {
      purge: 1,
      "destroy-unreferenced-disks": 1,
    });
    expect(running.body.message).toBe("unable to destroy CT 800 - container is running\n");
    await task("POST", "/nodes/pve1/lxc/800/status/stop");
    expect(
      (await task("DELETE", "/nodes/pve1/lxc/800", { purge: 1, "destroy-unreferenced-disks": 1 })).exitstatus,
    ).toBe("OK");
    expect(((await h.call("GET", "/nodes/pve1/lxc")).body.data as Row[]).map((r) => r.vmid)).not.toContain(
      800,
    );
    expect(
      ((await h.call("GET", "/cluster/resources", { type: "vm" })).body.data as Row[]).map((r) => r.vmid),
    ).not.toContain(800);
    const content = (await h.call("GET", "/nodes/pve1/storage/local-lvm/content")).body.data as Row[];
    expect(content.map((v) => v.volid)).not.toContain("local-lvm:vm-800-disk-0");
    expect((await h.call("GET", "/nodes/pve1/lxc/800/status/current")).status).toBe(500);
    // Behind Proximity's back: an admin deletes a CT on the host.
    await task("DELETE", "/nodes/pve1/lxc/802");
    expect(h.sim.containers().map((c) => c.vmid)).toEqual([801]);
  });

  it("storage - a backup volume `local:backup/…` is deleted by volid; with delay the answer is null", async () => {
    await task("POST", "/nodes/pve1/vzdump", { vmid: 801, storage: "local", compress: "zstd" });
    await task("POST", "/nodes/pve1/vzdump", { vmid: 801, storage: "local", compress: "gzip" });
    const backups = () =>
      h
        .call("GET", "/nodes/pve1/storage/local/content", { content: "backup" })
        .then((r) => (r.body.data as Row[]).map((v) => String(v.volid)));
    const [first, second] = await backups();
    expect(first).toMatch(/^local:backup\/vzdump-lxc-801-.*\.tar\.(zst|gz)$/);
    const path = (volid: string) => `/nodes/pve1/storage/local/content/${encodeURIComponent(volid)}`;
    expect((await task("DELETE", path(first!))).exitstatus).toBe("OK");
    // Raw fetch: the fixture's return check does not yet accept null for an optional `returns`.
    const quick = await fetch(`${h.running.baseUrl}/api2/json${path(second!)}?delay=5`, {
      method: "DELETE",
      headers: { authorization: `PVEAPIToken=${TOKEN.tokenId}=${TOKEN.secret}` },
    });
    expect([quick.status, await quick.json()]).toEqual([200, { data: null }]);
    expect(await backups()).toEqual([]);
    const missing = await h.call("DELETE", path(first!));
    expect([missing.status, missing.body.message]).toEqual([500, `volume '${first}' does not exist\n`]);
  });
});
