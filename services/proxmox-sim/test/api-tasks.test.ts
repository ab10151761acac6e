import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEBIAN, type SimHarness, startSim, UPID_RE } from "./support/sim-fixture.js";

describe("tasks api", () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim({ taskDurationMs: 300 }); // long enough to observe "running" on a loaded machine
  });
  afterAll(() => h.sim.stop());

  it("status - running then stopped with exitstatus OK, fields match the UPID", async () => {
    const upid = (await h.call("POST", "/nodes/pve1/lxc", { vmid: 300, ostemplate: DEBIAN })).body
      .data as string;
    expect(upid).toMatch(UPID_RE);
    const [, node, pid, pstart, starttime, type, id, user] = upid.split(":");
    const running = (await h.call("GET", `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).body.data;
    expect(running).toEqual({
      upid,
      node,
      pid: Number.parseInt(pid!, 16),
      pstart: Number.parseInt(pstart!, 16),
      starttime: Number.parseInt(starttime!, 16),
      type,
      id,
      user,
      status: "running",
    });
    expect(type).toBe("vzcreate");
    expect(user).toBe("root@pam!proximity");
    expect(Math.abs(Number.parseInt(starttime!, 16) - Date.now() / 1000)).toBeLessThan(5);
    const done = await h.waitTask("pve1", upid);
    expect(done).toMatchObject({ status: "stopped", exitstatus: "OK" });
  });

  it("log - numbered lines, total, paging, ends with TASK OK", async () => {
    const upid = (await h.call("POST", "/nodes/pve1/lxc", { vmid: 301, ostemplate: DEBIAN })).body
      .data as string;
    await h.waitTask("pve1", upid);
    const path = `/nodes/pve1/tasks/${encodeURIComponent(upid)}/log`;
    const log = await h.call("GET", path);
    const lines = log.body.data as { n: number; t: string }[];
    expect(log.body.total).toBe(lines.length);
    expect(lines.map((l) => l.n)).toEqual(lines.map((_, i) => i + 1));
    expect(lines.at(-1)).toEqual({ n: lines.length, t: "TASK OK" });
    const page = await h.call("GET", path, { start: 1, limit: 2 });
    expect((page.body.data as { n: number }[]).map((l) => l.n)).toEqual([2, 3]);
    expect(page.body.total).toBe(lines.length);
  });

  it("list - finished tasks by default, filters by vmid and type", async () => {
    const upid = (await h.call("POST", "/nodes/pve1/lxc", { vmid: 302, ostemplate: DEBIAN })).body
      .data as string;
    const active = (await h.call("GET", "/nodes/pve1/tasks", { source: "active" })).body.data as {
      upid: string;
    }[];
    expect(active.map((t) => t.upid)).toContain(upid);
    await h.waitTask("pve1", upid);
    const mine = (await h.call("GET", "/nodes/pve1/tasks", { vmid: 302, typefilter: "vzcreate" })).body
      .data as Record<string, unknown>[];
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ upid, status: "OK", endtime: expect.any(Number) });
  });

  it("status - garbled or unknown UPID is a 400 on upid", async () => {
    const garbled = await h.call("GET", "/nodes/pve1/tasks/not-a-upid/status");
    expect(garbled.status).toBe(400);
    expect(garbled.body.errors?.upid).toContain("unable to parse worker upid");
    const unknown = "UPID:pve1:00001234:00ABCDEF:68BF3A41:vzstart:999:root@pam:";
    const r = await h.call("GET", `/nodes/pve1/tasks/${encodeURIComponent(unknown)}/status`);
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual({ upid: "no such task" });
  });
});
