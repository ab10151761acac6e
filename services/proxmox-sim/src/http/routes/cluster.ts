/**
 * Cluster-wide reads: `/version`, `/cluster/resources`, `/cluster/nextid`.
 */
import { paramError } from "../../errors.js";
import { containerUsage } from "../../metrics.js";
import type { SimContext } from "../../sim-context.js";
import { usedBytes } from "../../state/storage.js";
import { intParam } from "../params.js";
import type { Route } from "../router.js";
import { nodeUsage } from "./nodes.js";

export const clusterRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/version",
    params: {},
    handle: () => ({ version: "9.1.2", release: "9.1", repoid: "b5a13b8d1e2e4ef6", console: "html5" }),
  },
  {
    method: "GET",
    path: "/cluster/resources",
    params: { type: "string?:vm|storage|node|sdn" },
    handle: ({ sim, params }) => resources(sim, params.type),
  },
  {
    method: "GET",
    path: "/cluster/nextid",
    params: { vmid: "integer?" },
    handle: ({ sim, params }) => {
      if (params.vmid === undefined) return sim.cluster.nextFreeId();
      const vmid = intParam(params, "vmid");
      // Text says "VM" even for containers, as in PVE.
      if (sim.cluster.find(vmid)) throw paramError({ vmid: `VM ${vmid} already exists` });
      return vmid;
    },
  },
];

function resources(sim: SimContext, type: string | undefined): unknown[] {
  const out: unknown[] = [];
  if (type === undefined || type === "node") {
    for (const node of sim.cluster.nodes) {
      out.push({
        id: `node/${node}`,
        type: "node",
        node,
        status: "online",
        level: "",
        ...nodeUsage(sim, node),
      });
    }
  }
  if (type === undefined || type === "vm") {
    for (const ct of sim.cluster.list()) {
      const u = containerUsage(ct);
      out.push({
        id: `lxc/${ct.vmid}`,
        type: "lxc",
        vmid: ct.vmid,
        node: ct.node,
        name: String(ct.config.hostname ?? `CT${ct.vmid}`),
        status: ct.status,
        template: 0,
        cpu: u.cpu,
        maxcpu: u.cpus,
        mem: u.mem,
        maxmem: u.maxmem,
        disk: u.disk,
        maxdisk: u.maxdisk,
        uptime: u.uptime,
        netin: u.netin,
        netout: u.netout,
        diskread: u.diskread,
        diskwrite: u.diskwrite,
        ...(ct.lock ? { lock: ct.lock } : {}),
        ...(ct.config.tags ? { tags: String(ct.config.tags) } : {}),
      });
    }
  }
  if (type === undefined || type === "storage") {
    for (const node of sim.cluster.nodes) {
      for (const s of sim.storage.list(node)) {
        out.push({
          id: `storage/${node}/${s.storage}`,
          type: "storage",
          node,
          storage: s.storage,
          status: "available",
          content: s.content,
          plugintype: s.type,
          shared: s.shared,
          disk: usedBytes(sim.storage, node, s.storage),
          maxdisk: s.total,
        });
      }
    }
  }
  return out;
}
