/**
 * `/nodes` and `/nodes/{node}/status`: every configured node is online with fixed hardware.
 */
import { containerUsage } from "../../metrics.js";
import type { SimContext } from "../../sim-context.js";
import type { Route } from "../router.js";
import { NODE } from "./common.js";

const GiB = 1024 ** 3;
const NODE_CPUS = 16;
const NODE_MEM = 64 * GiB;
const BOOT = Date.now();

/** Node-level usage: a base load plus what its running containers use. */
export function nodeUsage(sim: SimContext, node: string) {
  const cts = sim.cluster.list(node).map((ct) => containerUsage(ct));
  const ctCpu = cts.reduce((s, u) => s + u.cpu * u.cpus, 0) / NODE_CPUS;
  const ctMem = cts.reduce((s, u) => s + u.mem, 0);
  return {
    cpu: Number((0.01 + ctCpu).toFixed(4)),
    maxcpu: NODE_CPUS,
    mem: 3 * GiB + ctMem,
    maxmem: NODE_MEM,
    disk: 12 * GiB,
    maxdisk: 100 * GiB,
    uptime: 86_400 + Math.floor((Date.now() - BOOT) / 1000),
  };
}

export const nodeRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/nodes",
    params: {},
    handle: ({ sim }) =>
      sim.cluster.nodes.map((node) => ({
        node,
        status: "online",
        level: "",
        id: `node/${node}`,
        type: "node",
        ssl_fingerprint: sslFingerprint(node),
        ...nodeUsage(sim, node),
      })),
  },
  {
    method: "GET",
    path: "/nodes/{node}/status",
    params: { node: NODE },
    handle: ({ sim, params }) => {
      const node = params.node!;
      sim.cluster.assertNode(node);
      const u = nodeUsage(sim, node);
      return {
        uptime: u.uptime,
        cpu: u.cpu,
        wait: 0.0012,
        loadavg: [(u.cpu * NODE_CPUS).toFixed(2), "0.35", "0.30"],
        cpuinfo: {
          cpus: NODE_CPUS,
          cores: NODE_CPUS / 2,
          sockets: 1,
          model: "Simulated CPU @ 3.00GHz",
          mhz: "3000.000",
        },
        memory: { total: u.maxmem, used: u.mem, free: u.maxmem - u.mem, available: u.maxmem - u.mem },
        swap: { total: 8 * GiB, used: 0, free: 8 * GiB },
        rootfs: { total: u.maxdisk, used: u.disk, avail: u.maxdisk - u.disk, free: u.maxdisk - u.disk },
        kversion: "Linux 6.14.8-2-pve #1 SMP PREEMPT_DYNAMIC PMX 6.14.8-2 x86_64",
        pveversion: "pve-manager/9.1.2/b5a13b8d1e2e4ef6",
        "boot-info": { mode: "efi", secureboot: 0 },
        "current-kernel": {
          sysname: "Linux",
          release: "6.14.8-2-pve",
          version: "#1 SMP PREEMPT_DYNAMIC",
          machine: "x86_64",
        },
        ksm: { shared: 0 },
      };
    },
  },
];

/** A stable fake certificate fingerprint per node name. */
function sslFingerprint(node: string): string {
  const bytes = Array.from({ length: 32 }, (_, i) =>
    ((node.charCodeAt(i % node.length) * (i + 7)) & 0xff).toString(16),
  );
  return bytes.map((b) => b.padStart(2, "0").toUpperCase()).join(":");
}
