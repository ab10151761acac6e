import type { SnapshotPublisher } from "@proximity/bus";
import { createLogger } from "@proximity/logger";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { ContainerSummary, NodeSummary } from "@proximity/proxmox";
import { describe, expect, it } from "vitest";
import { provisionerConfigSchema } from "../../config.js";
import type { HostApi } from "../operations/host-api.js";
import { observeHost } from "./observe-host.js";

const log = createLogger({ service: "test", level: "silent" });
const { OBSERVE_NODE_CONCURRENCY } = provisionerConfigSchema.parse({
  DATABASE_URL: "postgres://x@127.0.0.1/x",
  NATS_URL: "nats://127.0.0.1:4222",
  SERVICE_KEYS_DIR: "/unused",
});

/**
 * A host of `nodes` whose listings take a few ms each (any other call fails the test): records
 * the calls, the most listings in flight at once, and what was published.
 */
function hostOf(nodes: NodeSummary[], containers: Record<string, ContainerSummary[]>) {
  const calls: string[] = [];
  const published: provisionerEventsV1.ContainersObserved[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const methods = {
    listNodes: async () => {
      calls.push("listNodes");
      return nodes;
    },
    listContainers: async (node: string) => {
      calls.push(`listContainers ${node}`);
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return containers[node] ?? [];
    },
  };
  const pve = new Proxy(methods, {
    get: (target, name) =>
      name in target
        ? target[name as keyof typeof target]
        : () => Promise.reject(new Error(`unexpected call ${String(name)}`)),
  });
  const api = { host: { id: "host-1", name: "pve" }, pve } as unknown as HostApi;
  const snapshots: SnapshotPublisher = {
    publish: async (_event, payload) => {
      published.push(payload as provisionerEventsV1.ContainersObserved);
      return "event-id";
    },
  };
  return { api, calls, published, mostInFlight: () => mostInFlight, snapshots };
}

const node = (name: string, status = "online") => ({ node: name, status }) as NodeSummary;

describe("observeHost", () => {
  it("observeHost - by default a host's nodes are listed one after another (one keep-alive connection per host and round), offline nodes not at all", async () => {
    const host = hostOf([node("pve1"), node("pve2", "offline"), node("pve3"), node("pve4")], {
      pve1: [{ vmid: 101, status: "running", name: "ct101", cpu: 0.5, mem: 512, maxmem: 1024 }],
      pve3: [{ vmid: 103, status: "stopped" }],
    });
    const deps = {
      snapshots: host.snapshots,
      nodeConcurrency: OBSERVE_NODE_CONCURRENCY,
      maxArchivesPerStorage: 100,
    };

    expect(await observeHost(deps, host.api, "00-trace-span-01", log, { backups: false })).toBe(3);

    expect(host.mostInFlight()).toBe(1);
    expect(host.calls).toEqual([
      "listNodes",
      "listContainers pve1",
      "listContainers pve3",
      "listContainers pve4",
    ]);
    expect(host.published.map((p) => [p.node, p.containers.map((c) => [c.vmid, c.status])])).toEqual([
      ["pve1", [[101, "running"]]],
      ["pve3", [[103, "stopped"]]],
      ["pve4", []],
    ]);
    expect(host.published[0]!.containers[0]).toMatchObject({ cpu: 0.5, memBytes: 512, maxMemBytes: 1024 });
  });

  it("observeHost - a larger node concurrency lists that many nodes at once", async () => {
    const host = hostOf([node("pve1"), node("pve2"), node("pve3")], {});
    const deps = { snapshots: host.snapshots, nodeConcurrency: 3, maxArchivesPerStorage: 100 };
    expect(await observeHost(deps, host.api, "00-trace-span-01", log, { backups: false })).toBe(3);
    expect(host.mostInFlight()).toBe(3);
  });
});
