/**
 * Contract test: every request the client can issue is checked against the official Proxmox VE
 * API schema. A call the schema does not declare, an undeclared parameter or an ill-typed value fails.
 */

import { checkRequest } from "@proximity/pve-schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBreakerRegistry, createProxmoxClient, type ExtendedProxmoxClient } from "../src/index.js";
import { type FakePve, ok, type SeenRequest, startFakePve } from "./support/fake-pve.js";
import { memoryLogger } from "./support/logger.js";

const NODE = "pve1";
const UPID = "UPID:pve1:000934AF:0D015579:68BF3A41:vzcreate:101:root@pam:";

/** Plausible `{data}` answers, by path shape. */
function answer(req: SeenRequest) {
  const p = req.path;
  if (p === "/access/ticket")
    return ok({ ticket: "PVE:root@pam:68BF3A41::sig", CSRFPreventionToken: "68BF3A41:csrf" });
  if (p === "/version") return ok({ version: "9.1.1", release: "9.1", repoid: "abc123" });
  if (p === "/cluster/nextid") return ok(req.params.vmid ? Number(req.params.vmid) : 100);
  if (p.endsWith("/status") && p.includes("/tasks/"))
    return ok({ upid: UPID, status: "stopped", exitstatus: "OK", type: "vzcreate" });
  if (p.endsWith("/log")) return ok([{ n: 1, t: "TASK OK" }], { total: 1 });
  if (req.method === "PUT") return ok(null);
  if (req.method !== "GET") return ok(UPID);
  if (p.endsWith("/config") || p.endsWith("/status/current") || /\/nodes\/[^/]+\/status$/.test(p))
    return ok({});
  return ok([]);
}

/** One call per client method; the Record type makes a missing method a compile error. */
const calls: Record<
  Exclude<keyof ExtendedProxmoxClient, "close">,
  (c: ExtendedProxmoxClient) => Promise<unknown>
> = {
  version: (c) => c.version(),
  listNodes: (c) => c.listNodes(),
  nodeStatus: (c) => c.nodeStatus(NODE),
  clusterResources: async (c) => {
    await c.clusterResources();
    await c.clusterResources("vm");
    await c.clusterResources("storage");
    return c.clusterResources("node");
  },
  nextId: async (c) => {
    await c.nextId();
    return c.nextId(4242);
  },
  listContainers: (c) => c.listContainers(NODE),
  createContainer: (c) =>
    c.createContainer(NODE, {
      vmid: 101,
      ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
      hostname: "app-101",
      password: "hunter22",
      "ssh-public-keys": "ssh-ed25519 AAAAC3Nza proximity",
      cores: 2,
      memory: 1024,
      swap: 512,
      rootfs: "local-lvm:8",
      storage: "local-lvm",
      net0: "name=eth0,bridge=vmbr0,ip=dhcp,firewall=1",
      unprivileged: true,
      features: "nesting=1,keyctl=1",
      start: false,
      onboot: true,
      tags: "proximity;app-101",
      description: "managed by Proximity",
      nameserver: "1.1.1.1",
      force: false,
    }),
  containerConfig: (c) => c.containerConfig(NODE, 101),
  containerStatus: (c) => c.containerStatus(NODE, 101),
  startContainer: (c) => c.startContainer(NODE, 101),
  stopContainer: (c) => c.stopContainer(NODE, 101),
  shutdownContainer: async (c) => {
    await c.shutdownContainer(NODE, 101);
    return c.shutdownContainer(NODE, 101, 30, { forceStop: true });
  },
  rebootContainer: (c) => c.rebootContainer(NODE, 101),
  deleteContainer: (c) =>
    c.deleteContainer(NODE, 101, { force: true, purge: true, destroyUnreferencedDisks: true }),
  taskStatus: (c) => c.taskStatus(NODE, UPID),
  taskLog: (c) => c.taskLog(NODE, UPID, { start: 0, limit: 50 }),
  waitForTask: (c) => c.waitForTask(UPID),
  listSnapshots: (c) => c.listSnapshots(NODE, 101),
  createSnapshot: (c) => c.createSnapshot(NODE, 101, "before-upgrade", "pre-upgrade snapshot"),
  deleteSnapshot: (c) => c.deleteSnapshot(NODE, 101, "before-upgrade", { force: true }),
  rollbackSnapshot: (c) => c.rollbackSnapshot(NODE, 101, "before-upgrade", { start: true }),
  cloneContainer: (c) =>
    c.cloneContainer(NODE, 101, {
      newid: 102,
      hostname: "app-102",
      full: true,
      storage: "local-lvm",
      snapname: "snap1",
    }),
  vzdump: async (c) => {
    await c.vzdump(NODE, { vmid: 101 });
    return c.vzdump(NODE, {
      vmid: [101, 102],
      storage: "local",
      mode: "snapshot",
      compress: "zstd",
      notesTemplate: "{{guestname}} by Proximity",
      protected: true,
      remove: false,
    });
  },
  restoreContainer: (c) =>
    c.restoreContainer(NODE, {
      vmid: 101,
      archive: "local:backup/vzdump-lxc-101-2026_01_01-00_00_00.tar.zst",
      storage: "local-lvm",
      force: true,
      unique: true,
      hostname: "app-103",
    }),
  updateContainerConfig: (c) =>
    c.updateContainerConfig(
      NODE,
      101,
      { memory: 2048, cores: 4, onboot: true },
      { delete: ["mp0"], digest: "abc" },
    ),
  containerInterfaces: (c) => c.containerInterfaces(NODE, 101),
  listStorages: (c) => c.listStorages(NODE, { content: "rootdir,vztmpl", enabled: true }),
  listStorageContent: (c) => c.listStorageContent(NODE, "local", { content: "backup", vmid: 101 }),
  listTemplates: (c) => c.listTemplates(NODE, "local"),
  deleteStorageContent: async (c) => {
    await c.deleteStorageContent(NODE, "local", "local:backup/vzdump-lxc-101-2026_01_01-00_00_00.tar.zst");
    return c.deleteStorageContent(NODE, "local", "local:backup/vzdump-lxc-101.tar.zst", { delay: 5 });
  },
  updateStorageContent: (c) =>
    c.updateStorageContent(NODE, "local", "local:backup/vzdump-lxc-101-2026_01_01-00_00_00.tar.zst", {
      notes: "before upgrade",
      protected: true,
    }),
  previewPruneBackups: (c) =>
    c.previewPruneBackups(NODE, "local", { keepLast: 3, keepDaily: 7 }, { vmid: 101 }),
  pruneBackups: async (c) => {
    await c.pruneBackups(NODE, "local", {});
    return c.pruneBackups(NODE, "backup", { keepLast: 2, keepWeekly: 4 }, { vmid: 101 });
  },
  containerRrdData: async (c) => {
    await c.containerRrdData(NODE, 101, "hour");
    return c.containerRrdData(NODE, 101, "day", "MAX");
  },
};

describe("contract", () => {
  let pve: FakePve;
  const breakers = createBreakerRegistry();
  let client: ExtendedProxmoxClient;
  /** Requests each method issued (the login the first call triggers is not counted). */
  const issued = new Map<string, SeenRequest[]>();

  beforeAll(async () => {
    pve = await startFakePve(answer);
    client = createProxmoxClient(
      { baseUrl: pve.url, auth: { kind: "password", username: "root@pam", password: "pw" } },
      { logger: memoryLogger().logger, breakers },
    );
    for (const [method, call] of Object.entries(calls)) {
      const before = pve.requests.length;
      await call(client);
      issued.set(
        method,
        pve.requests.slice(before).filter((r) => r.path !== "/access/ticket"),
      );
    }
  });

  afterAll(async () => {
    await client.close();
    breakers.shutdown();
    await pve.close();
  });

  it("contract - every client method issued at least one request", () => {
    expect([...issued.keys()].sort()).toEqual(Object.keys(calls).sort());
    const silent = [...issued].filter(([, requests]) => requests.length === 0).map(([method]) => method);
    expect(silent).toEqual([]);
  });

  it("contract - every recorded request is declared by the official schema", () => {
    const problems = pve.requests.flatMap((r) => checkRequest(r));
    expect(problems).toEqual([]);
  });
});
