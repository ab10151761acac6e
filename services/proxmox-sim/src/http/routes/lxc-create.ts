/**
 * `POST /nodes/{node}/lxc`: create (task vzcreate) or restore (task vzrestore). The VMID claim and
 * `lock: create` happen before the UPID is returned; a failed task removes the config again.
 */
import { die, paramError } from "../../errors.js";
import { type SimContext, startTask } from "../../sim-context.js";
import {
  type ConfigValue,
  type ContainerRecord,
  createContainerRecord,
  markRunning,
} from "../../state/container.js";
import { intParam, isTrue, type Params } from "../params.js";
import type { Route, RouteContext } from "../router.js";
import { CONFIG_KEYS, INTEGER_KEYS, NODE, toInt, VMID } from "./common.js";

/** Create-only parameters that never end up in the config. */
const CREATE_ONLY = {
  ostemplate: "string",
  password: "string?",
  "ssh-public-keys": "string?",
  storage: "string?",
  start: "boolean?",
  force: "boolean?",
  restore: "boolean?",
  unique: "boolean?",
  pool: "string?",
  "ha-managed": "boolean?",
  "ignore-unpack-errors": "boolean?",
  bwlimit: "number?:0",
} as const;

export const lxcCreateRoute: Route = {
  method: "POST",
  path: "/nodes/{node}/lxc",
  params: { node: NODE, vmid: VMID, ...CONFIG_KEYS, ...CREATE_ONLY },
  handle: (ctx) => createContainer(ctx),
};

function createContainer({ sim, params, principal, method, path }: RouteContext): string {
  const node = params.node!;
  const vmid = intParam(params, "vmid");
  sim.cluster.assertNode(node);
  if (params.password !== undefined && params.password.length < 5) {
    throw paramError({ password: "value must be at least 5 characters long" });
  }
  const restore = isTrue(params.restore);
  const existing = sim.cluster.find(vmid);
  if (existing && !(restore && isTrue(params.force) && existing.node === node)) {
    throw die(`CT ${vmid} already exists on node '${existing.node}'`);
  }
  if (existing?.status === "running") throw die(`unable to restore CT ${vmid} - CT is running`);
  const volume = checkVolume(sim, node, params.ostemplate!);
  const config = { ...buildConfig(params, vmid), ...(restore ? (volume.backupConfig ?? {}) : {}) };
  if (restore && params.hostname) config.hostname = params.hostname; // explicit params win over the backup
  if (existing) sim.cluster.remove(vmid);
  const ct = createContainerRecord(node, vmid, config, params.password !== undefined);
  ct.lock = "create";
  sim.cluster.add(ct);
  return startTask(sim, {
    node,
    type: restore ? "vzrestore" : "vzcreate",
    id: String(vmid),
    user: principal.user,
    request: { method, path },
    run: (log) => finishCreate(ct, params, log),
    rollback: () => sim.cluster.remove(vmid),
  });
}

function finishCreate(ct: ContainerRecord, params: Params, log: (line: string) => void): void {
  log(`extracting archive '${params.ostemplate}'`);
  log("Total bytes read: 524288000 (500MiB, 250MiB/s)");
  log("Detected container architecture: amd64");
  log(`Creating SSH host key 'ssh_host_ed25519_key' - this may take some time ...`);
  ct.lock = undefined;
  if (isTrue(params.start)) markRunning(ct);
}

function checkVolume(sim: SimContext, node: string, volid: string) {
  const storage = volid.split(":")[0] ?? "";
  sim.storage.get(node, storage);
  const volume = sim.storage.findVolume(node, volid);
  if (!volume) throw die(`volume '${volid}' does not exist`);
  return volume;
}

/** The config a new CT starts with: PVE defaults plus the given keys. */
function buildConfig(params: Params, vmid: number): Record<string, ConfigValue> {
  const storage = params.storage ?? "local";
  const template = params.ostemplate ?? "";
  const config: Record<string, ConfigValue> = {
    arch: "amd64",
    hostname: `CT${vmid}`,
    memory: 512,
    swap: 512,
    ostype: template.includes("ubuntu") ? "ubuntu" : "debian",
    unprivileged: 1,
  };
  for (const [key, value] of Object.entries(params)) {
    if (!isConfigKey(key)) continue;
    config[key] = INTEGER_KEYS.has(key) ? toInt(value) : value;
  }
  config.rootfs = rootfsVolume(params.rootfs ?? `${storage}:4`, vmid);
  return config;
}

function isConfigKey(key: string): boolean {
  if (key === "lock" || key === "rootfs") return false;
  return key in CONFIG_KEYS || /^(net|mp|dev|unused)\d+$/.test(key);
}

/** `local-lvm:8` allocates `local-lvm:vm-<id>-disk-0,size=8G`; an existing volume is kept. */
function rootfsVolume(spec: string, vmid: number): string {
  const m = /^([^:,]+):(\d+(?:\.\d+)?)(,.*)?$/.exec(spec);
  if (!m) return spec;
  return `${m[1]}:vm-${vmid}-disk-0,size=${m[2]}G${m[3] ?? ""}`;
}
