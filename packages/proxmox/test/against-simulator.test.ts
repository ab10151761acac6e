/**
 * The real client against the real simulator, through a recording proxy: one scenario calls every
 * client method (the Record type makes a missing method a compile error), checks what came back,
 * and holds every request and every answer to the official schema.
 */

import { createProxmoxSimulator, type ProxmoxSimulator } from "@proximity/proxmox-sim";
import { checkRequest, checkReturns } from "@proximity/pve-schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBreakerRegistry, createProxmoxClient, type ExtendedProxmoxClient } from "../src/index.js";
import { memoryLogger } from "./support/logger.js";
import { type RecordingProxy, startRecordingProxy } from "./support/recording-proxy.js";

const NODE = "pve1";
const USER = { username: "root@pam", password: "rootpass" };

/** State the steps hand on to each other. */
interface Run {
  vmid: number;
  cloneId: number;
  template: string;
  createUpid: string;
  archive: string;
}

type Step = (c: ExtendedProxmoxClient, run: Run, sim: ProxmoxSimulator) => Promise<void>;

const wait = async (c: ExtendedProxmoxClient, upid: Promise<string | null>) => {
  const u = await upid;
  if (u) await c.waitForTask(u, { intervalMs: 10, maxIntervalMs: 20, timeoutMs: 5_000 });
};

/** In execution order; each step asserts what its method returned. */
const steps: Record<Exclude<keyof ExtendedProxmoxClient, "close">, Step> = {
  version: async (c) => expect((await c.version()).version).toMatch(/^\d+\.\d+/),
  listNodes: async (c) => expect((await c.listNodes()).map((n) => n.node)).toEqual(["pve1", "pve2"]),
  nodeStatus: async (c) => expect(await c.nodeStatus(NODE)).toHaveProperty("cpuinfo"),
  clusterResources: async (c) => {
    expect((await c.clusterResources("node")).length).toBe(2);
    expect((await c.clusterResources("storage")).length).toBeGreaterThan(0);
  },
  nextId: async (c, run) => {
    run.vmid = (await c.nextId()) ?? 0;
    expect(run.vmid).toBeGreaterThanOrEqual(100);
    expect(await c.nextId(run.vmid)).toBe(run.vmid); // free: echoed back
    run.cloneId = run.vmid + 1;
  },
  listStorages: async (c) =>
    expect((await c.listStorages(NODE, { content: "backup" })).map((s) => s.storage)).toEqual([
      "local",
      "backup",
    ]),
  listTemplates: async (c, run) => {
    const templates = await c.listTemplates(NODE, "local");
    run.template = templates.find((t) => t.volid.includes("debian"))?.volid ?? "";
    expect(run.template).toMatch(/^local:vztmpl\//);
  },
  createContainer: async (c, run) => {
    run.createUpid = await c.createContainer(NODE, {
      vmid: run.vmid,
      ostemplate: run.template,
      hostname: "app-one",
      password: "hunter22",
      cores: 1,
      memory: 512,
      rootfs: "local-lvm:8",
      net0: "name=eth0,bridge=vmbr0,ip=dhcp",
      unprivileged: true,
      features: "nesting=1",
      tags: "proximity",
    });
  },
  waitForTask: async (c, run) =>
    expect((await c.waitForTask(run.createUpid, { intervalMs: 10 })).exitstatus).toBe("OK"),
  taskStatus: async (c, run) =>
    expect(await c.taskStatus(NODE, run.createUpid)).toMatchObject({ status: "stopped", type: "vzcreate" }),
  taskLog: async (c, run) => expect((await c.taskLog(NODE, run.createUpid)).at(-1)).toBe("TASK OK"),
  containerConfig: async (c, run) =>
    expect(await c.containerConfig(NODE, run.vmid)).toMatchObject({ hostname: "app-one", memory: 512 }),
  updateContainerConfig: async (c, run) => {
    const { digest } = (await c.containerConfig(NODE, run.vmid)) as { digest: string };
    await c.updateContainerConfig(NODE, run.vmid, { memory: 1024 }, { digest, delete: ["tags"] });
    const config = await c.containerConfig(NODE, run.vmid);
    expect([config.memory, config.tags]).toEqual([1024, undefined]);
  },
  startContainer: (c, run) => wait(c, c.startContainer(NODE, run.vmid)),
  containerStatus: async (c, run) =>
    expect(await c.containerStatus(NODE, run.vmid)).toMatchObject({
      status: "running",
      maxmem: 1024 * 1024 ** 2,
    }),
  listContainers: async (c, run) =>
    expect((await c.listContainers(NODE)).map((ct) => ct.vmid)).toContain(run.vmid),
  containerInterfaces: async (c, run) => {
    const eth0 = (await c.containerInterfaces(NODE, run.vmid)).find((i) => i.name === "eth0");
    expect(eth0?.inet).toMatch(/^10\.\d+\.\d+\.\d+\/24$/);
  },
  containerRrdData: async (c, run) => {
    const points = await c.containerRrdData(NODE, run.vmid, "hour");
    expect(points).toHaveLength(70);
    // Just started: older slots are empty (only `time`), the newest one has samples.
    expect(points[0]).toEqual({ time: expect.any(Number) });
    expect(points.at(-1)).toMatchObject({ cpu: expect.any(Number), maxcpu: 1, maxmem: 1024 * 1024 ** 2 });
    const max = await c.containerRrdData(NODE, run.vmid, "hour", "MAX");
    expect(max.at(-1)!.cpu!).toBeGreaterThanOrEqual(points.at(-1)!.cpu!);
  },
  rebootContainer: (c, run) => wait(c, c.rebootContainer(NODE, run.vmid)),
  createSnapshot: async (c, run, sim) => {
    const upid = await c.createSnapshot(NODE, run.vmid, "pre", "before the change");
    expect(sim.containers().find((ct) => ct.vmid === run.vmid)?.lock).toBe("snapshot");
    await wait(c, Promise.resolve(upid));
  },
  listSnapshots: async (c, run) =>
    expect((await c.listSnapshots(NODE, run.vmid)).map((s) => [s.name, s.parent])).toEqual([
      ["pre", undefined],
      ["current", "pre"],
    ]),
  rollbackSnapshot: (c, run) => wait(c, c.rollbackSnapshot(NODE, run.vmid, "pre", { start: true })),
  cloneContainer: async (c, run, sim) => {
    const upid = await c.cloneContainer(NODE, run.vmid, {
      newid: run.cloneId,
      hostname: "app-copy",
      full: true,
      snapname: "pre",
    });
    const locks = sim
      .containers()
      .filter((ct) => ct.lock)
      .map((ct) => [ct.vmid, ct.lock]);
    expect(locks).toEqual([
      [run.vmid, "disk"],
      [run.cloneId, "create"],
    ]);
    await wait(c, Promise.resolve(upid));
  },
  deleteSnapshot: async (c, run) => {
    await wait(c, c.deleteSnapshot(NODE, run.vmid, "pre"));
    expect((await c.listSnapshots(NODE, run.vmid)).map((s) => s.name)).toEqual(["current"]);
  },
  shutdownContainer: async (c, run, sim) => {
    // A guest ignoring the halt signal fails the task, unless forceStop lets PVE kill it.
    const fault = sim.addFault({ match: { vmid: run.vmid }, effect: { kind: "shutdown-timeout" } });
    await expect(wait(c, c.shutdownContainer(NODE, run.vmid, 10))).rejects.toThrow(/vzshutdown failed/);
    await wait(c, c.shutdownContainer(NODE, run.vmid, 10, { forceStop: true }));
    sim.removeFault(fault);
    expect((await c.containerStatus(NODE, run.vmid)).status).toBe("stopped");
  },
  vzdump: async (c, run) => {
    await wait(
      c,
      c.vzdump(NODE, {
        vmid: run.vmid,
        storage: "local",
        compress: "zstd",
        notesTemplate: "{{guestname}} on {{node}}",
      }),
    );
  },
  listStorageContent: async (c, run) => {
    const [backup, ...more] = await c.listStorageContent(NODE, "local", {
      content: "backup",
      vmid: run.vmid,
    });
    expect(more).toEqual([]);
    expect(backup?.volid).toMatch(
      new RegExp(
        `^local:backup/vzdump-lxc-${run.vmid}-\\d{4}_\\d{2}_\\d{2}-\\d{2}_\\d{2}_\\d{2}\\.tar\\.zst$`,
      ),
    );
    expect(backup?.notes).toBe("app-one on pve1");
    run.archive = backup?.volid ?? "";
  },
  restoreContainer: async (c, run) => {
    await c.updateContainerConfig(NODE, run.vmid, { hostname: "changed" });
    await wait(c, c.restoreContainer(NODE, { vmid: run.vmid, archive: run.archive, force: true }));
    expect((await c.containerConfig(NODE, run.vmid)).hostname).toBe("app-one");
  },
  updateStorageContent: async (c, run) => {
    await c.updateStorageContent(NODE, "local", run.archive, { protected: true, notes: "keep me" });
    const [item] = await c.listStorageContent(NODE, "local", { content: "backup", vmid: run.vmid });
    expect(item).toMatchObject({ volid: run.archive, protected: true, notes: "keep me" });
  },
  previewPruneBackups: async (c, run) => {
    const marks = await c.previewPruneBackups(NODE, "local", { keepLast: 1 }, { vmid: run.vmid });
    expect(marks.map((m) => [m.volid, m.mark])).toEqual([[run.archive, "protected"]]);
  },
  pruneBackups: async (c, run) => {
    // Protected: pruning with keep-last=1 keeps it; unprotected, nothing else is there to keep.
    await wait(c, c.pruneBackups(NODE, "local", { keepLast: 1 }, { vmid: run.vmid }));
    expect((await c.listStorageContent(NODE, "local", { content: "backup" })).length).toBe(1);
    await expect(wait(c, c.deleteStorageContent(NODE, "local", run.archive))).rejects.toMatchObject({
      exitstatus: expect.stringMatching(/^cannot remove protected volume 'backup\/vzdump-lxc-/),
    });
    await c.updateStorageContent(NODE, "local", run.archive, { protected: false });
  },
  deleteStorageContent: async (c, run) => {
    await wait(c, c.deleteStorageContent(NODE, "local", run.archive));
    expect(await c.listStorageContent(NODE, "local", { content: "backup" })).toEqual([]);
  },
  stopContainer: async (c, run) => {
    await wait(c, c.startContainer(NODE, run.cloneId));
    await wait(c, c.stopContainer(NODE, run.cloneId));
    expect((await c.containerStatus(NODE, run.cloneId)).status).toBe("stopped");
  },
  deleteContainer: async (c, run, sim) => {
    await wait(c, c.deleteContainer(NODE, run.vmid, { purge: true, destroyUnreferencedDisks: true }));
    await wait(c, c.deleteContainer(NODE, run.cloneId, { force: true }));
    expect(sim.containers()).toEqual([]);
  },
};

describe("client against the simulator", () => {
  let sim: ProxmoxSimulator;
  let proxy: RecordingProxy;
  let client: ExtendedProxmoxClient;
  const breakers = createBreakerRegistry();

  beforeAll(async () => {
    sim = createProxmoxSimulator({ nodes: ["pve1", "pve2"], httpPort: 0, users: [USER], taskDurationMs: 20 });
    const { baseUrl } = await sim.start();
    proxy = await startRecordingProxy(baseUrl);
    client = createProxmoxClient(
      { baseUrl: proxy.url, auth: { kind: "password", ...USER } },
      { logger: memoryLogger().logger, breakers },
    );
  });

  afterAll(async () => {
    await client.close();
    breakers.shutdown();
    await proxy.close();
    await sim.stop();
  });

  it("scenario - every client method works against the simulator", async () => {
    const run: Run = { vmid: 0, cloneId: 0, template: "", createUpid: "", archive: "" };
    const silent: string[] = [];
    for (const [name, step] of Object.entries(steps)) {
      const before = proxy.exchanges.length;
      await step(client, run, sim).catch((err: unknown) => {
        throw new Error(`step ${name}: ${err instanceof Error ? err.message : String(err)}`);
      });
      if (!proxy.exchanges.slice(before).some((e) => e.path !== "/access/ticket")) silent.push(name);
    }
    // Every method reached the simulator (so the schema checks below saw each of them).
    expect(silent).toEqual([]);
    expect(proxy.exchanges.filter((e) => e.status !== 200).map((e) => `${e.method} ${e.path}`)).toEqual([]);
  });

  it("contract - every request the client sent is declared by the schema", () => {
    expect(proxy.exchanges.length).toBeGreaterThan(Object.keys(steps).length);
    expect(proxy.exchanges.flatMap((e) => checkRequest(e))).toEqual([]);
  });

  it("contract - every answer of the simulator matches the schema's returns", () => {
    const problems = proxy.exchanges.flatMap((e) =>
      checkReturns(e.method, e.path, e.data).map((p) => `${e.method} ${e.path}: ${p}`),
    );
    expect(problems).toEqual([]);
  });
});
