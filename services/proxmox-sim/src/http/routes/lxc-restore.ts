/**
 * `POST /nodes/{node}/lxc` with `restore=1` (task vzrestore), following pve-container's create_vm:
 * an existing VMID needs `force` and a stopped, unprotected, unlocked CT (checked before the UPID
 * is returned); the CT holds `lock: create` while the task runs. The worker first reads the
 * archive's config: a missing archive fails there, before anything changed (a new CT's config is
 * removed, an existing CT only unlocked). After that point the old disks are destroyed, so a
 * failure (an injected task-failure) leaves no CT at all, as on a real node.
 *
 * The restored CT holds the archive's guest and config; given config keys (hostname, cores, …)
 * win over the backed-up ones; the root disk is allocated on `storage` with the backed-up size.
 * Snapshots are not part of a backup, so the restored CT has none. It stays stopped unless `start`.
 */
import { die } from "../../errors.js";
import { startTask } from "../../sim-context.js";
import type { ArchiveContents } from "../../state/backup.js";
import {
  type ConfigValue,
  type ContainerRecord,
  createContainerRecord,
  markRunning,
} from "../../state/container.js";
import { replaceGuest } from "../../state/guest.js";
import { intParam, isTrue, type Params } from "../params.js";
import type { RouteContext } from "../router.js";
import { givenConfig, rootfsVolume } from "./ct-config.js";

export function restoreContainer({ sim, params, principal, method, path }: RouteContext): string {
  const node = params.node!;
  const vmid = intParam(params, "vmid");
  const archive = params.ostemplate!;
  const existing = sim.cluster.find(vmid);
  const overwrite = existing !== undefined && existing.node === node && isTrue(params.force);
  if (existing && !overwrite) throw die(`CT ${vmid} already exists on node '${existing.node}'`);
  if (existing?.status === "running") throw die("can't overwrite running container");
  if (existing?.config.protection === 1) throw die(`unable to restore CT ${vmid} - protection mode enabled`);
  sim.storage.get(node, archive.split(":")[0] ?? ""); // parse_volname: the storage must exist
  if (existing?.lock) throw die(`unable to restore CT ${vmid} - CT is locked (${existing.lock})`);
  const ct = existing ?? createContainerRecord(node, vmid, {}, false);
  ct.lock = "create";
  if (!existing) sim.cluster.add(ct);
  // Set when the worker stops before touching the CT (the archive is not there).
  let failedEarly = false;
  return startTask(sim, {
    node,
    type: "vzrestore",
    id: String(vmid),
    user: principal.user,
    request: { method, path },
    run: (log) => {
      log(`recovering backed-up configuration from '${archive}'`);
      const contents = sim.storage.findVolume(node, archive)?.archive;
      if (!contents) {
        failedEarly = true;
        throw new Error(`unable to restore CT ${vmid} - can't find file '${archive}'`);
      }
      log(`restoring '${archive}' now..`);
      replaceContents(ct, contents, params);
      log("merging backed-up and given configuration..");
      ct.lock = undefined;
      if (isTrue(params.start)) markRunning(ct);
    },
    rollback: () => {
      if (existing && failedEarly) ct.lock = undefined;
      else sim.cluster.remove(vmid);
    },
  });
}

/** Makes `ct` what the archive holds, with the given config keys on top. */
function replaceContents(ct: ContainerRecord, contents: ArchiveContents, params: Params): void {
  const size = /size=([\d.]+[KMGT]?)/.exec(String(contents.config.rootfs ?? ""))?.[1] ?? "4G";
  const storage = params.storage ?? "local";
  const config: Record<string, ConfigValue> = {
    ...contents.config,
    ...givenConfig(params),
    rootfs: params.rootfs
      ? rootfsVolume(params.rootfs, ct.vmid)
      : `${storage}:vm-${ct.vmid}-disk-0,size=${size}`,
  };
  config.hostname ??= `CT${ct.vmid}`;
  for (const key of Object.keys(ct.config)) delete ct.config[key];
  Object.assign(ct.config, config);
  replaceGuest(ct.guest, contents.guest);
  ct.snapshots.clear();
  ct.hasPassword = ct.hasPassword || params.password !== undefined;
}
