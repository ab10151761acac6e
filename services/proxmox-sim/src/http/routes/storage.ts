/**
 * Storages and their content (templates, backups, CT root volumes): listing, a volume's attributes
 * (notes, protected) and deleting a volume (a protected backup fails inside the imgdel task).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { die } from "../../errors.js";
import { type SimContext, startTask } from "../../sim-context.js";
import { rootfsBytes } from "../../state/container.js";
import { usedBytes, type VolumeEntry } from "../../state/storage.js";
import { intParam, isTrue, type Params } from "../params.js";
import type { Route } from "../router.js";
import { NODE, OPT_VMID } from "./common.js";

/** Root volumes of the node's containers live on the storage named in their `rootfs`. */
function rootVolumes(sim: SimContext, node: string, storage: string): VolumeEntry[] {
  return sim.cluster
    .list(node)
    .filter((ct) => String(ct.config.rootfs ?? "").startsWith(`${storage}:`))
    .map((ct) => ({
      volid: String(ct.config.rootfs).split(",")[0]!,
      content: "rootdir" as const,
      format: "raw",
      size: rootfsBytes(ct),
      ctime: Math.floor(Date.now() / 1000),
      vmid: ct.vmid,
    }));
}

export const storageRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/nodes/{node}/storage",
    params: {
      node: NODE,
      content: "string?",
      enabled: "boolean?",
      format: "boolean?",
      storage: "string?",
      target: "string?",
    },
    handle: ({ sim, params }) => {
      const node = params.node!;
      sim.cluster.assertNode(node);
      return sim.storage
        .list(node)
        .filter((s) => params.storage === undefined || s.storage === params.storage)
        .filter(
          (s) => params.content === undefined || params.content.split(",").some((c) => s.content.includes(c)),
        )
        .map((s) => {
          const used = usedBytes(sim.storage, node, s.storage);
          return {
            storage: s.storage,
            type: s.type,
            content: s.content,
            active: 1,
            enabled: 1,
            shared: s.shared,
            total: s.total,
            used,
            avail: s.total - used,
            used_fraction: used / s.total,
          };
        });
    },
  },
  {
    method: "GET",
    path: "/nodes/{node}/storage/{storage}/content",
    params: { node: NODE, storage: "string", content: "string?", vmid: OPT_VMID },
    handle: ({ sim, params }) => {
      const node = params.node!;
      sim.cluster.assertNode(node);
      sim.storage.get(node, params.storage!);
      const vmid = params.vmid === undefined ? undefined : intParam(params, "vmid");
      return [...sim.storage.volumes(node, params.storage!), ...rootVolumes(sim, node, params.storage!)]
        .filter((v) => params.content === undefined || v.content === params.content)
        .filter((v) => vmid === undefined || v.vmid === vmid)
        .map(({ archive: _hidden, ...v }) => v);
    },
  },
  {
    method: "GET",
    path: "/nodes/{node}/storage/{storage}/content/{volume}",
    params: { node: NODE, storage: "string?", volume: "string" },
    handle: ({ sim, params }) => {
      const { node, volume } = findVolume(sim, params);
      const [storage = "", name = ""] = volume.volid.split(/:(.*)/s);
      const def = sim.storage.get(node, storage);
      return {
        format: volume.format,
        path: `${def.path ?? `/mnt/pve/${storage}`}/${name.replace(/^backup\//, "dump/").replace(/^vztmpl\//, "template/cache/")}`,
        size: volume.size,
        used: volume.size,
        ...(volume.notes !== undefined ? { notes: volume.notes } : {}),
        ...(volume.content === "backup" ? { protected: volume.protected === 1 ? 1 : 0 } : {}),
      };
    },
  },
  {
    method: "PUT",
    path: "/nodes/{node}/storage/{storage}/content/{volume}",
    params: { node: NODE, storage: "string?", volume: "string", notes: "string?", protected: "boolean?" },
    handle: ({ sim, params }) => {
      const { node, volume } = findVolume(sim, params);
      if (volume.content !== "backup" && (params.notes !== undefined || params.protected !== undefined)) {
        throw die(`unable to set notes or protection for '${volume.volid}' - not a backup`);
      }
      sim.storage.update(node, volume.volid, {
        ...(params.notes !== undefined ? { notes: params.notes } : {}),
        ...(params.protected !== undefined ? { protected: isTrue(params.protected) } : {}),
      });
      return null;
    },
  },
  {
    method: "DELETE",
    path: "/nodes/{node}/storage/{storage}/content/{volume}",
    params: { node: NODE, storage: "string?", volume: "string", delay: "integer?:1-30" },
    handle: async ({ sim, params, principal, method, path }) => {
      const { node, volume } = findVolume(sim, params);
      const volid = volume.volid;
      const [storage, volname] = volid.split(/:(.*)/s);
      const upid = startTask(sim, {
        node,
        type: "imgdel",
        // pvesm forks imgdel without an id (a volid's ':' would also break the UPID).
        id: "",
        user: principal.user,
        request: { method, path },
        run: (log) => {
          // Plugin::free_image checks the flag inside the worker: the task fails, the archive stays.
          if (sim.storage.findVolume(node, volid)?.protected === 1) {
            throw new Error(`cannot remove protected volume '${volname}' on '${storage}'`);
          }
          sim.storage.remove(node, volid);
          log(`Removed volume '${volid}'`);
        },
      });
      return params.delay === undefined ? upid : awaitBriefly(sim, upid, intParam(params, "delay"));
    },
  },
];

/** The volume named by `volume` (a full volid, or a name on `storage`); dies like PVE when absent. */
function findVolume(sim: SimContext, params: Params): { node: string; volume: VolumeEntry } {
  const node = params.node!;
  sim.cluster.assertNode(node);
  const volid = params.volume!.includes(":") ? params.volume! : `${params.storage}:${params.volume}`;
  const volume = sim.storage.findVolume(node, volid);
  if (!volume) throw die(`volume '${volid}' does not exist`);
  return { node, volume };
}

/**
 * With `delay`, PVE waits up to that many seconds: a task that finished OK answers null, a failed
 * one dies with its status, one still running answers its UPID.
 */
async function awaitBriefly(sim: SimContext, upid: string, seconds: number): Promise<string | null> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const task = sim.tasks.get(upid);
    if (task?.status === "stopped") {
      if (task.exitstatus === "OK") return null;
      throw die(task.exitstatus ?? "unknown error");
    }
    if (Date.now() >= deadline) return upid;
    await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
  }
}
