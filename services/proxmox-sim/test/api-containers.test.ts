import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCt, DEBIAN, type SimHarness, startSim } from "./support/sim-fixture.js";

describe("containers api", () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim({ taskDurationMs: 200 }); // tests observe locks held while a task runs
  });
  afterAll(() => h.sim.stop());

  it("envelope - version, nodes and node status in {data}", async () => {
    const nodes = await h.call("GET", "/nodes");
    expect((nodes.body.data as { node: string; status: string }[]).map((n) => [n.node, n.status])).toEqual([
      ["pve1", "online"],
      ["pve2", "online"],
    ]);
    const status = await h.call("GET", "/nodes/pve2/status");
    expect(status.body.data).toMatchObject({ cpuinfo: { cpus: 16 }, memory: { total: expect.any(Number) } });
  });

  it("errors - unknown path is 501, unknown node is a 500 with the lookup failure", async () => {
    const r = await h.call("GET", "/nodes/pve1/nothing-here", {}, { invalidParams: true });
    expect(r.status).toBe(501);
    expect(r.body).toEqual({
      data: null,
      message: "Method 'GET /nodes/pve1/nothing-here' not implemented\n",
    });
    const node = await h.call("GET", "/nodes/ghost/lxc");
    expect(node.status).toBe(500);
    expect(node.body.message).toContain("'ghost'");
  });

  it("params - undeclared or ill-typed parameters are a 400 naming each one", async () => {
    const r = await h.call(
      "POST",
      "/nodes/pve1/lxc",
      { vmid: 99, ostemplate: DEBIAN, colour: "blue", cores: "many" },
      { invalidParams: true },
    );
    expect(r.status).toBe(400);
    expect(r.statusText).toBe("Parameter verification failed.");
    expect(r.body.message).toBe("Parameter verification failed.\n");
    expect(r.body.errors).toEqual({
      colour: "property is not defined in schema and the schema does not allow additional properties",
      cores: "type check ('integer') failed - got 'many'",
      vmid: "value must have a minimum value of 100",
    });
    const missing = await h.call("POST", "/nodes/pve1/lxc", { vmid: 120 }, { invalidParams: true });
    expect(missing.body.errors).toEqual({ ostemplate: "property is missing and it is not optional" });
  });

  it("nextid - first free id, vmid check is a 400, nothing is reserved", async () => {
    const first = await h.call("GET", "/cluster/nextid");
    expect(first.body.data).toBe(100);
    expect((await h.call("GET", "/cluster/nextid")).body.data).toBe(100);
    await createCt(h, "pve2", 100);
    expect((await h.call("GET", "/cluster/nextid")).body.data).toBe(101);
    const taken = await h.call("GET", "/cluster/nextid", { vmid: 100 });
    expect(taken.status).toBe(400);
    expect(taken.body.errors).toEqual({ vmid: "VM 100 already exists" });
    expect((await h.call("GET", "/cluster/nextid", { vmid: 4242 })).body.data).toBe(4242);
  });

  it("create - task holds lock create, then the CT is stopped with its config", async () => {
    const r = await h.call("POST", "/nodes/pve1/lxc", {
      vmid: 200,
      ostemplate: DEBIAN,
      hostname: "web",
      password: "secret123",
      cores: 2,
      memory: 1024,
      rootfs: "local-lvm:8",
      net0: "name=eth0,bridge=vmbr0,ip=dhcp",
      features: "nesting=1",
      tags: "proximity;app-1",
      description: "app web",
      onboot: 1,
    });
    const upid = r.body.data as string;
    const during = await h.call("GET", "/nodes/pve1/lxc/200/status/current");
    expect(during.body.data).toMatchObject({ status: "stopped", lock: "create" });
    // A start meanwhile gets its task, which fails on the lock as it begins (not after its duration).
    const locked = await h.call("POST", "/nodes/pve1/lxc/200/status/start");
    expect(locked.status).toBe(200);
    expect((await h.waitTask("pve1", locked.body.data as string)).exitstatus).toBe("CT is locked (create)");
    expect(h.sim.containers().find((c) => c.vmid === 200)?.lock).toBe("create");
    expect((await h.waitTask("pve1", upid)).exitstatus).toBe("OK");
    const config = (await h.call("GET", "/nodes/pve1/lxc/200/config")).body.data as Record<string, unknown>;
    expect(config).toMatchObject({
      hostname: "web",
      cores: 2,
      memory: 1024,
      rootfs: "local-lvm:vm-200-disk-0,size=8G",
      net0: "name=eth0,bridge=vmbr0,ip=dhcp",
      features: "nesting=1",
      tags: "proximity;app-1",
      onboot: 1,
      unprivileged: 1,
      digest: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(config).not.toHaveProperty("password");
    expect(config).not.toHaveProperty("lock");
    expect(h.sim.containers().find((c) => c.vmid === 200)).toEqual({
      node: "pve1",
      vmid: 200,
      hostname: "web",
      status: "stopped",
      tags: "proximity;app-1",
      description: "app web",
    });
  });

  it("create - duplicate VMID on any node is a synchronous 500", async () => {
    await createCt(h, "pve1", 210);
    const r = await h.call("POST", "/nodes/pve2/lxc", { vmid: 210, ostemplate: DEBIAN });
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ data: null, message: "CT 210 already exists on node 'pve1'\n" });
  });

  it("create - unknown template is a 500 before any task; start=1 starts it; JSON bodies work", async () => {
    const r = await h.call("POST", "/nodes/pve1/lxc", { vmid: 220, ostemplate: "local:vztmpl/nope.tar.zst" });
    expect(r.status).toBe(500);
    expect(r.body.message).toBe("volume 'local:vztmpl/nope.tar.zst' does not exist\n");
    expect(h.sim.containers().some((c) => c.vmid === 220)).toBe(false);
    const ok = await h.call(
      "POST",
      "/nodes/pve1/lxc",
      { vmid: 220, ostemplate: DEBIAN, start: 1 },
      { json: true },
    );
    await h.waitTask("pve1", ok.body.data as string);
    const cur = (await h.call("GET", "/nodes/pve1/lxc/220/status/current")).body.data as Record<
      string,
      number | string
    >;
    expect(cur.status).toBe("running");
    expect(cur.mem).toBeGreaterThan(0);
  });

  it("power - start/stop pre-checks and the running state", async () => {
    await createCt(h, "pve1", 230);
    const stopStopped = await h.call("POST", "/nodes/pve1/lxc/230/status/stop");
    expect(stopStopped.status).toBe(500);
    expect(stopStopped.body.message).toBe("CT 230 not running\n");
    const start = await h.call("POST", "/nodes/pve1/lxc/230/status/start");
    expect(start.body.data).toMatch(/:vzstart:230:/);
    await h.waitTask("pve1", start.body.data as string);
    const again = await h.call("POST", "/nodes/pve1/lxc/230/status/start");
    expect(again.body.message).toBe("CT 230 already running\n");
    const list = (await h.call("GET", "/nodes/pve1/lxc")).body.data as { vmid: number; status: string }[];
    expect(list.find((c) => c.vmid === 230)?.status).toBe("running");
    const shutdown = await h.call("POST", "/nodes/pve1/lxc/230/status/shutdown", { timeout: 30 });
    await h.waitTask("pve1", shutdown.body.data as string);
    expect(h.sim.containers().find((c) => c.vmid === 230)?.status).toBe("stopped");
    const reboot = await h.call("POST", "/nodes/pve1/lxc/230/status/reboot");
    expect(reboot.body.message).toBe("VM 230 not running\n");
  });

  it("config - a CT on another node does not exist here; digest guards updates", async () => {
    await createCt(h, "pve2", 240);
    const wrongNode = await h.call("GET", "/nodes/pve1/lxc/240/config");
    expect(wrongNode.status).toBe(500);
    expect(wrongNode.body.message).toBe("Configuration file 'nodes/pve1/lxc/240.conf' does not exist\n");
    const { digest } = (await h.call("GET", "/nodes/pve2/lxc/240/config")).body.data as { digest: string };
    const put = await h.call("PUT", "/nodes/pve2/lxc/240/config", { memory: 2048, digest, delete: "onboot" });
    expect(put.status).toBe(200);
    expect(put.body.data).toBeNull();
    const stale = await h.call("PUT", "/nodes/pve2/lxc/240/config", { memory: 4096, digest });
    expect(stale.status).toBe(500);
    expect(stale.body.message).toContain("detected modified configuration");
    expect(((await h.call("GET", "/nodes/pve2/lxc/240/config")).body.data as { memory: number }).memory).toBe(
      2048,
    );
  });

  it("delete - running CT needs force; the task removes it", async () => {
    await createCt(h, "pve1", 250, { start: 1 });
    const refused = await h.call("DELETE", "/nodes/pve1/lxc/250");
    expect(refused.status).toBe(500);
    expect(refused.body.message).toBe("unable to destroy CT 250 - container is running\n");
    const del = await h.call("DELETE", "/nodes/pve1/lxc/250", { force: 1, purge: 1 });
    expect(del.body.data).toMatch(/:vzdestroy:250:/);
    expect((await h.waitTask("pve1", del.body.data as string)).exitstatus).toBe("OK");
    expect((await h.call("GET", "/nodes/pve1/lxc/250/status/current")).status).toBe(500);
  });

  it("resources and storage - cluster view, templates, root volumes", async () => {
    await createCt(h, "pve2", 260, { rootfs: "local-lvm:4" });
    const vms = (await h.call("GET", "/cluster/resources", { type: "vm" })).body.data as Record<
      string,
      unknown
    >[];
    expect(vms.find((v) => v.vmid === 260)).toMatchObject({
      id: "lxc/260",
      type: "lxc",
      node: "pve2",
      name: "ct260",
    });
    const all = (await h.call("GET", "/cluster/resources")).body.data as { type: string }[];
    expect(new Set(all.map((r) => r.type))).toEqual(new Set(["node", "lxc", "storage"]));
    const storages = (await h.call("GET", "/nodes/pve2/storage", { content: "vztmpl" })).body.data as {
      storage: string;
    }[];
    expect(storages.map((s) => s.storage)).toEqual(["local"]);
    const templates = (await h.call("GET", "/nodes/pve2/storage/local/content", { content: "vztmpl" })).body
      .data as { volid: string }[];
    expect(templates.map((t) => t.volid)).toContain(DEBIAN);
    const disks = (await h.call("GET", "/nodes/pve2/storage/local-lvm/content", { vmid: 260 })).body.data as {
      volid: string;
    }[];
    expect(disks.map((d) => d.volid)).toEqual(["local-lvm:vm-260-disk-0"]);
  });
});
