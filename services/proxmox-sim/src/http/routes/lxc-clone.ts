/**
 * `POST /nodes/{node}/lxc/{vmid}/clone` (task vzclone). The new VMID is claimed with `lock: create`
 * and the source gets `lock: disk` before the UPID is returned; both are released when the task
 * ends, and a failed clone removes the half-created target, as pve-container does.
 */
import { die, paramError } from "../../errors.js";
import { startTask } from "../../sim-context.js";
import { assertUnlocked, type ConfigValue, createContainerRecord } from "../../state/container.js";
import { copyGuest, replaceGuest } from "../../state/guest.js";
import { getSnapshot } from "../../state/snapshots.js";
import { intParam, isTrue } from "../params.js";
import type { Route, RouteContext } from "../router.js";
import { NODE, VMID } from "./common.js";

export const lxcCloneRoute: Route = {
  method: "POST",
  path: "/nodes/{node}/lxc/{vmid}/clone",
  params: {
    node: NODE,
    vmid: VMID,
    newid: VMID,
    hostname: "string?",
    description: "string?",
    pool: "string?",
    snapname: "string?",
    storage: "string?",
    full: "boolean?",
    target: "string?",
    bwlimit: "number?:0",
  },
  handle: (ctx) => cloneContainer(ctx),
};

function cloneContainer(ctx: RouteContext): string {
  const { sim, params } = ctx;
  const node = params.node!;
  sim.cluster.assertNode(node);
  const source = sim.cluster.get(node, intParam(params, "vmid"));
  const newid = intParam(params, "newid");
  const target = params.target ?? node;
  sim.cluster.assertNode(target);
  const existing = sim.cluster.find(newid);
  if (existing) throw die(`CT ${newid} already exists on node '${existing.node}'`);
  assertUnlocked(source);
  const isTemplate = source.config.template === 1;
  const full = params.full === undefined ? !isTemplate : isTrue(params.full);
  if (!full && !isTemplate) throw die("linked clone feature is not available for a non-template CT");
  if (params.storage !== undefined && !full) throw paramError({ storage: "not allowed for linked clones" });
  if (target !== node) throw die(`can't clone CT to node '${target}' (CT uses local storage)`);
  if (params.storage !== undefined) sim.storage.get(target, params.storage);
  const snapshot = params.snapname === undefined ? undefined : getSnapshot(source, params.snapname);
  if (full && source.status === "running" && !snapshot) {
    throw die("Cannot do full clones on a running container without snapshots");
  }
  const from = snapshot ?? { config: source.config, guest: source.guest };
  const ct = createContainerRecord(target, newid, cloneConfig(from.config, newid, params), false);
  const copied = copyGuest(from.guest, newid);
  ct.lock = "create";
  source.lock = "disk";
  sim.cluster.add(ct);
  const release = () => {
    source.lock = undefined;
  };
  return startTask(sim, {
    node,
    type: "vzclone",
    id: String(source.vmid),
    user: ctx.principal.user,
    request: { method: ctx.method, path: ctx.path },
    run: (log) => {
      log(`create full clone of mountpoint rootfs (${String(from.config.rootfs ?? "")})`);
      replaceGuest(ct.guest, copied);
      ct.lock = undefined;
      release();
    },
    rollback: () => {
      release();
      sim.cluster.remove(newid);
    },
  });
}

/** The source config with a fresh root volume, the new hostname/description, no snapshot links. */
function cloneConfig(
  from: Readonly<Record<string, ConfigValue>>,
  newid: number,
  params: RouteContext["params"],
): Record<string, ConfigValue> {
  const { parent: _parent, template: _template, ...rest } = from;
  const config: Record<string, ConfigValue> = { ...rest };
  const rootfs = String(from.rootfs ?? "local-lvm:vm-0-disk-0");
  const [volume, ...opts] = rootfs.split(",");
  const storage = params.storage ?? volume!.split(":")[0];
  config.rootfs = [`${storage}:vm-${newid}-disk-0`, ...opts].join(",");
  if (params.hostname !== undefined) config.hostname = params.hostname;
  if (params.description !== undefined) config.description = params.description;
  return config;
}
