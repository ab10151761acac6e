/**
 * LXC snapshots: list (with the `current` pseudo-entry), create, show, delete and rollback. Each
 * task holds its lock (`snapshot`, `snapshot-delete`, `rollback`) from the request until it ends,
 * so concurrent operations see `CT is locked (…)` as on a real node.
 */
import { paramError } from "../../errors.js";
import { startTask } from "../../sim-context.js";
import { assertUnlocked, type ContainerRecord, markRunning, markStopped } from "../../state/container.js";
import {
  assertNewSnapshotName,
  currentParent,
  getSnapshot,
  removeSnapshot,
  rollbackTo,
  takeSnapshot,
} from "../../state/snapshots.js";
import { intParam, isTrue } from "../params.js";
import type { Route, RouteContext } from "../router.js";
import { NODE, VMID } from "./common.js";

const BASE = "/nodes/{node}/lxc/{vmid}/snapshot";
const SNAPNAME = "string";

function container({ sim, params }: RouteContext): ContainerRecord {
  sim.cluster.assertNode(params.node!);
  return sim.cluster.get(params.node!, intParam(params, "vmid"));
}

/** Starts a task of `type` under `lock`; the lock is released however the task ends. */
function lockedTask(
  ctx: RouteContext,
  ct: ContainerRecord,
  type: string,
  lock: string,
  run: (log: (line: string) => void) => void,
): string {
  ct.lock = lock;
  const release = () => {
    ct.lock = undefined;
  };
  return startTask(ctx.sim, {
    node: ct.node,
    type,
    id: String(ct.vmid),
    user: ctx.principal.user,
    request: { method: ctx.method, path: ctx.path },
    run: (log) => {
      release();
      run(log);
    },
    rollback: release,
  });
}

/**
 * PVE checks the `snapshot` feature of every volume inside the worker: a root disk on a directory
 * storage (raw file) cannot be snapshotted; lvmthin, zfs and ceph can.
 */
function assertSnapshotCapable(ctx: RouteContext, ct: ContainerRecord): void {
  const storage = String(ct.config.rootfs ?? "").split(":")[0] ?? "";
  const def = ctx.sim.storage.list(ct.node).find((s) => s.storage === storage);
  if (def?.type === "dir") throw new Error("snapshot feature is not available");
}

export const snapshotRoutes: readonly Route[] = [
  {
    method: "GET",
    path: BASE,
    params: { node: NODE, vmid: VMID },
    handle: (ctx) => {
      const ct = container(ctx);
      const snaps = [...ct.snapshots].map(([name, s]) => ({
        name,
        description: s.description,
        snaptime: s.snaptime,
        ...(s.parent ? { parent: s.parent } : {}),
      }));
      const parent = currentParent(ct);
      return [
        ...snaps,
        {
          name: "current",
          description: "You are here!",
          running: ct.status === "running" ? 1 : 0,
          ...(parent ? { parent } : {}),
        },
      ];
    },
  },
  {
    method: "POST",
    path: BASE,
    params: { node: NODE, vmid: VMID, snapname: SNAPNAME, description: "string?" },
    handle: (ctx) => {
      const ct = container(ctx);
      const name = ctx.params.snapname!;
      // Format `pve-configid`, checked with the other parameters (so before the CT lookup's lock check).
      if (!/^[a-z][a-z0-9_-]+$/i.test(name) || name.length > 40) {
        throw paramError({ snapname: `invalid format - invalid configuration ID '${name}'` });
      }
      assertUnlocked(ct);
      assertNewSnapshotName(ct, name);
      const description = ctx.params.description ?? "";
      return lockedTask(ctx, ct, "vzsnapshot", "snapshot", (log) => {
        assertNewSnapshotName(ct, name); // a racing create with the same name loses inside its task
        assertSnapshotCapable(ctx, ct);
        takeSnapshot(ct, name, description);
        log(`snapshotting 'rootfs' (${String(ct.config.rootfs ?? "")})`);
      });
    },
  },
  {
    method: "GET",
    path: `${BASE}/{snapname}`,
    params: { node: NODE, vmid: VMID, snapname: SNAPNAME },
    handle: (ctx) => {
      getSnapshot(container(ctx), ctx.params.snapname!);
      return [{ cmd: "rollback" }, { cmd: "config" }];
    },
  },
  {
    method: "DELETE",
    path: `${BASE}/{snapname}`,
    params: { node: NODE, vmid: VMID, snapname: SNAPNAME, force: "boolean?" },
    handle: (ctx) => {
      const ct = container(ctx);
      const name = ctx.params.snapname!;
      // `force` also clears a stale `snapshot-delete` lock left by an earlier failed delete.
      if (!(isTrue(ctx.params.force) && ct.lock === "snapshot-delete")) assertUnlocked(ct);
      getSnapshot(ct, name);
      return lockedTask(ctx, ct, "vzdelsnapshot", "snapshot-delete", (log) => {
        removeSnapshot(ct, name);
        log(`removed snapshot '${name}'`);
      });
    },
  },
  {
    method: "POST",
    path: `${BASE}/{snapname}/rollback`,
    params: { node: NODE, vmid: VMID, snapname: SNAPNAME, start: "boolean?" },
    handle: (ctx) => {
      const ct = container(ctx);
      const name = ctx.params.snapname!;
      getSnapshot(ct, name);
      assertUnlocked(ct);
      const start = isTrue(ctx.params.start);
      return lockedTask(ctx, ct, "vzrollback", "rollback", (log) => {
        if (ct.status === "running") {
          log(`stopping CT ${ct.vmid} for rollback`);
          markStopped(ct);
        }
        rollbackTo(ct, name);
        if (start) markRunning(ct);
      });
    },
  },
];
