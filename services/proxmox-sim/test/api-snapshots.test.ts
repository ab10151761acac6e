/**
 * Snapshots and clone through the raw API: every request and answer is schema-checked by the
 * fixture; locks are observed while tasks run (tasks take 150 ms here).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCt, type SimHarness, startSim } from "./support/sim-fixture.js";

type Row = Record<string, unknown>;

describe("snapshots and clone api", () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim({ taskDurationMs: 150 });
  });
  afterAll(() => h.sim.stop());

  const lockOf = (vmid: number) => h.sim.containers().find((c) => c.vmid === vmid)?.lock;
  const run = async (method: string, path: string, params: Record<string, string | number> = {}) => {
    const r = await h.call(method, path, params);
    expect(r.status, r.body.message).toBe(200);
    return r.body.data as string;
  };

  it("snapshot - create holds lock snapshot, then lists it under current with parents", async () => {
    await createCt(h, "pve1", 300, { rootfs: "local-lvm:4" });
    const upid = await run("POST", "/nodes/pve1/lxc/300/snapshot", { snapname: "s1", description: "first" });
    expect(lockOf(300)).toBe("snapshot");
    const busy = await run("POST", "/nodes/pve1/lxc/300/status/start");
    expect((await h.waitTask("pve1", busy)).exitstatus).toBe("CT is locked (snapshot)");
    expect(lockOf(300)).toBe("snapshot"); // the start's task ended before the snapshot's
    expect((await h.waitTask("pve1", upid)).exitstatus).toBe("OK");
    expect(lockOf(300)).toBeUndefined();
    await h.waitTask("pve1", await run("POST", "/nodes/pve1/lxc/300/snapshot", { snapname: "s2" }));
    const list = (await h.call("GET", "/nodes/pve1/lxc/300/snapshot")).body.data as Row[];
    expect(list.map((s) => [s.name, s.parent])).toEqual([
      ["s1", undefined],
      ["s2", "s1"],
      ["current", "s2"],
    ]);
    expect(list[0]).toMatchObject({ description: "first", snaptime: expect.any(Number) });
    expect((await h.call("GET", "/nodes/pve1/lxc/300/snapshot/s1")).body.data).toEqual([
      { cmd: "rollback" },
      { cmd: "config" },
    ]);
  });

  it("snapshot - a root disk on a directory storage cannot be snapshotted (the task fails)", async () => {
    await createCt(h, "pve1", 309, { rootfs: "local:4" });
    const upid = await run("POST", "/nodes/pve1/lxc/309/snapshot", { snapname: "s1" });
    expect((await h.waitTask("pve1", upid)).exitstatus).toBe("snapshot feature is not available");
    expect(lockOf(309)).toBeUndefined();
    const list = (await h.call("GET", "/nodes/pve1/lxc/309/snapshot")).body.data as Row[];
    expect(list.map((s) => s.name)).toEqual(["current"]);
  });

  it("snapshot - reserved and duplicate names, unknown snapshots fail like PVE", async () => {
    const dup = await h.call("POST", "/nodes/pve1/lxc/300/snapshot", { snapname: "s1" });
    expect([dup.status, dup.body.message]).toEqual([500, "snapshot name 's1' already used\n"]);
    const reserved = await h.call("POST", "/nodes/pve1/lxc/300/snapshot", { snapname: "vzdump" });
    expect(reserved.body.message).toContain("reserved name");
    const missing = await h.call("DELETE", "/nodes/pve1/lxc/300/snapshot/nope");
    expect([missing.status, missing.body.message]).toEqual([500, "snapshot 'nope' does not exist\n"]);
  });

  it("rollback - holds lock rollback, restores config, stops and optionally starts the CT", async () => {
    await h.call("PUT", "/nodes/pve1/lxc/300/config", { memory: 2048 });
    await h.waitTask("pve1", await run("POST", "/nodes/pve1/lxc/300/status/start"));
    const upid = await run("POST", "/nodes/pve1/lxc/300/snapshot/s1/rollback", { start: 1 });
    expect(lockOf(300)).toBe("rollback");
    await h.waitTask("pve1", upid);
    const config = (await h.call("GET", "/nodes/pve1/lxc/300/config")).body.data as Row;
    expect(config.memory).toBe(512);
    expect(config.parent).toBe("s1");
    expect(h.sim.containers().find((c) => c.vmid === 300)).toMatchObject({ status: "running" });
  });

  it("snapshot delete - holds snapshot-delete and re-parents the children", async () => {
    const upid = await run("DELETE", "/nodes/pve1/lxc/300/snapshot/s1", { force: 1 });
    expect(lockOf(300)).toBe("snapshot-delete");
    await h.waitTask("pve1", upid);
    const list = (await h.call("GET", "/nodes/pve1/lxc/300/snapshot")).body.data as Row[];
    expect(list.map((s) => [s.name, s.parent])).toEqual([
      ["s2", undefined],
      ["current", undefined],
    ]);
  });

  it("clone - source lock disk, target lock create, then an independent copy with its own disk", async () => {
    const running = await h.call("POST", "/nodes/pve1/lxc/300/clone", { newid: 301 });
    expect(running.body.message).toBe("Cannot do full clones on a running container without snapshots\n");
    const upid = await run("POST", "/nodes/pve1/lxc/300/clone", {
      newid: 301,
      hostname: "copy",
      full: 1,
      snapname: "s2",
    });
    expect(upid).toContain(":vzclone:300:");
    expect([lockOf(300), lockOf(301)]).toEqual(["disk", "create"]);
    await h.waitTask("pve1", upid);
    expect([lockOf(300), lockOf(301)]).toEqual([undefined, undefined]);
    const config = (await h.call("GET", "/nodes/pve1/lxc/301/config")).body.data as Row;
    expect(config).toMatchObject({
      hostname: "copy",
      rootfs: expect.stringMatching(/^local-lvm:vm-301-disk-0/),
    });
    expect(config.parent).toBeUndefined();
    const taken = await h.call("POST", "/nodes/pve1/lxc/300/clone", { newid: 301, snapname: "s2" });
    expect(taken.body.message).toBe("CT 301 already exists on node 'pve1'\n");
  });

  it("clone - a failed task removes the half-created target and frees the source", async () => {
    const fault = h.sim.addFault({
      match: { taskType: "vzclone" },
      effect: { kind: "task-failure", message: "no space" },
    });
    const upid = await run("POST", "/nodes/pve1/lxc/300/clone", { newid: 302, snapname: "s2" });
    expect((await h.waitTask("pve1", upid)).exitstatus).toBe("no space");
    h.sim.removeFault(fault);
    expect(h.sim.containers().map((c) => c.vmid)).not.toContain(302);
    expect(lockOf(300)).toBeUndefined();
  });
});
