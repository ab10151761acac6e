/**
 * `GET|DELETE /nodes/{node}/storage/{storage}/prunebackups`: the retention preview and the prune
 * task (type prunebackups, id `<vmid>@<storage>` or `<storage>`), as PVE::Storage::prune_backups
 * does them. Storages here have no `prune-backups` of their own, so the options must be given.
 */
import { die } from "../../errors.js";
import { type SimContext, startTask } from "../../sim-context.js";
import { markBackupGroup, type PruneMark, type PruneOptions, parsePruneOptions } from "../../state/prune.js";
import { intParam, type Params } from "../params.js";
import type { Route } from "../router.js";
import { NODE, OPT_VMID } from "./common.js";

const PARAMS = {
  node: NODE,
  storage: "string",
  "prune-backups": "string?",
  type: "string?:qemu|lxc",
  vmid: OPT_VMID,
} as const;

interface PruneEntry {
  volid: string;
  ctime: number;
  mark: PruneMark;
  type: string;
  vmid: number;
}

/** Marks every backup of `storage` (optionally of one guest) as PVE would. */
export function pruneList(
  sim: SimContext,
  node: string,
  storage: string,
  keep: PruneOptions,
  vmid?: number,
): PruneEntry[] {
  const groups = new Map<number, { volid: string; ctime: number; protected: boolean }[]>();
  for (const v of sim.storage.volumes(node, storage)) {
    if (v.content !== "backup" || v.vmid === undefined || (vmid !== undefined && v.vmid !== vmid)) continue;
    const group = groups.get(v.vmid) ?? [];
    group.push({ volid: v.volid, ctime: v.ctime, protected: v.protected === 1 });
    groups.set(v.vmid, group);
  }
  return [...groups].flatMap(([id, group]) =>
    markBackupGroup(group, keep).map((e) => ({ ...e, type: "lxc", vmid: id })),
  );
}

/** Removes the backups the options do not keep; returns how many went. */
export function pruneBackups(
  sim: SimContext,
  node: string,
  storage: string,
  keep: PruneOptions,
  vmid: number | undefined,
  log: (line: string) => void,
): number {
  let removed = 0;
  for (const e of pruneList(sim, node, storage, keep, vmid)) {
    if (e.mark !== "remove") continue;
    log(`removing backup '${e.volid}'`);
    sim.storage.remove(node, e.volid);
    removed++;
  }
  return removed;
}

/** PVE::Storage::prune_backups' checks: a backup storage and retention options. */
function resolveKeep(sim: SimContext, node: string, params: Params): PruneOptions {
  const storage = params.storage!;
  const def = sim.storage.get(node, storage);
  if (!def.content.split(",").includes("backup")) throw die(`storage '${storage}' does not support backups`);
  if (params["prune-backups"] === undefined) {
    throw die(`no prune-backups options configured for storage '${storage}'`);
  }
  return parsePruneOptions(params["prune-backups"]);
}

export const pruneRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/nodes/{node}/storage/{storage}/prunebackups",
    params: PARAMS,
    handle: ({ sim, params }) => {
      const node = params.node!;
      sim.cluster.assertNode(node);
      const keep = resolveKeep(sim, node, params);
      const vmid = params.vmid === undefined ? undefined : intParam(params, "vmid");
      if (params.type === "qemu") return [];
      return pruneList(sim, node, params.storage!, keep, vmid);
    },
  },
  {
    method: "DELETE",
    path: "/nodes/{node}/storage/{storage}/prunebackups",
    params: PARAMS,
    handle: ({ sim, params, principal, method, path }) => {
      const node = params.node!;
      sim.cluster.assertNode(node);
      const storage = params.storage!;
      if (params["prune-backups"] !== undefined) parsePruneOptions(params["prune-backups"]); // 400 first
      const vmid = params.vmid === undefined ? undefined : intParam(params, "vmid");
      return startTask(sim, {
        node,
        type: "prunebackups",
        id: `${vmid === undefined ? "" : `${vmid}@`}${storage}`,
        user: principal.user,
        request: { method, path },
        run: (log) => {
          // The worker does the checks, so a wrong storage fails the task, not the request.
          const keep = resolveKeep(sim, node, params);
          if (params.type === "qemu") return;
          pruneBackups(sim, node, storage, keep, vmid, log);
        },
      });
    },
  },
];
