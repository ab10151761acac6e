/**
 * Container listing, config read/update and destroy.
 */
import { die, paramError } from "../../errors.js";
import { containerUsage } from "../../metrics.js";
import { startTask } from "../../sim-context.js";
import { assertUnlocked, configDigest } from "../../state/container.js";
import { intParam, isTrue } from "../params.js";
import type { Route } from "../router.js";
import { CONFIG_KEYS, INTEGER_KEYS, NODE, toInt, VMID } from "./common.js";
import { lxcCreateRoute } from "./lxc-create.js";

export const lxcRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/nodes/{node}/lxc",
    params: { node: NODE },
    handle: ({ sim, params }) => {
      sim.cluster.assertNode(params.node!);
      return sim.cluster.list(params.node).map((ct) => {
        const u = containerUsage(ct);
        return {
          vmid: ct.vmid,
          status: ct.status,
          name: String(ct.config.hostname ?? ""),
          type: "lxc",
          cpus: u.cpus,
          cpu: u.cpu,
          maxmem: u.maxmem,
          mem: u.mem,
          maxswap: u.maxswap,
          maxdisk: u.maxdisk,
          disk: u.disk,
          uptime: u.uptime,
          netin: u.netin,
          netout: u.netout,
          diskread: u.diskread,
          diskwrite: u.diskwrite,
          ...(ct.lock ? { lock: ct.lock } : {}),
          ...(ct.config.tags ? { tags: String(ct.config.tags) } : {}),
        };
      });
    },
  },
  lxcCreateRoute,
  {
    method: "GET",
    path: "/nodes/{node}/lxc/{vmid}/config",
    params: { node: NODE, vmid: VMID, current: "boolean?", snapshot: "string?" },
    handle: ({ sim, params }) => {
      sim.cluster.assertNode(params.node!);
      const ct = sim.cluster.get(params.node!, intParam(params, "vmid"));
      if (params.snapshot !== undefined) {
        const snap = ct.snapshots.get(params.snapshot);
        if (!snap) throw die(`snapshot '${params.snapshot}' does not exist`);
        return {
          ...snap.config,
          snaptime: snap.snaptime,
          description: snap.description,
          digest: configDigest(ct),
        };
      }
      return { ...ct.config, ...(ct.lock ? { lock: ct.lock } : {}), digest: configDigest(ct) };
    },
  },
  {
    method: "PUT",
    path: "/nodes/{node}/lxc/{vmid}/config",
    params: {
      node: NODE,
      vmid: VMID,
      ...CONFIG_KEYS,
      delete: "string?",
      digest: "string?",
      revert: "string?",
    },
    handle: ({ sim, params }) => {
      sim.cluster.assertNode(params.node!);
      const ct = sim.cluster.get(params.node!, intParam(params, "vmid"));
      if (params.digest !== undefined && params.digest !== configDigest(ct)) {
        throw die("detected modified configuration - file changed by other user? Try again.");
      }
      assertUnlocked(ct);
      const deletions = (params.delete ?? "").split(/[,;\s]+/).filter(Boolean);
      for (const key of deletions) {
        if (params[key] !== undefined)
          throw paramError({ [key]: "you can't use '-delete $opt' and '-$opt' at the same time" });
      }
      for (const [key, value] of Object.entries(params)) {
        if (["node", "vmid", "delete", "digest", "revert", "lock"].includes(key)) continue;
        ct.config[key] = INTEGER_KEYS.has(key) ? toInt(value) : value;
      }
      for (const key of deletions) delete ct.config[key];
      return null;
    },
  },
  {
    method: "DELETE",
    path: "/nodes/{node}/lxc/{vmid}",
    params: {
      node: NODE,
      vmid: VMID,
      force: "boolean?",
      purge: "boolean?",
      "destroy-unreferenced-disks": "boolean?",
    },
    handle: ({ sim, params, principal, method, path }) => {
      sim.cluster.assertNode(params.node!);
      const vmid = intParam(params, "vmid");
      const ct = sim.cluster.get(params.node!, vmid);
      assertUnlocked(ct);
      if (ct.config.protection === 1) throw die(`can't remove CT ${vmid} - protection mode enabled`);
      if (ct.status === "running" && !isTrue(params.force)) {
        throw die(`unable to destroy CT ${vmid} - container is running`);
      }
      ct.lock = "destroyed";
      return startTask(sim, {
        node: ct.node,
        type: "vzdestroy",
        id: String(vmid),
        user: principal.user,
        request: { method, path },
        run: (log) => {
          if (ct.status === "running") log(`stopping CT ${vmid}`);
          log(`Logical volume "vm-${vmid}-disk-0" successfully removed.`);
          if (isTrue(params.purge)) log(`purging CT ${vmid} from related configurations..`);
          sim.cluster.remove(vmid);
        },
        rollback: () => {
          ct.lock = undefined;
        },
      });
    },
  },
];
