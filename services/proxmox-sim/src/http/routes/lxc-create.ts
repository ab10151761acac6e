/**
 * `POST /nodes/{node}/lxc`: create (task vzcreate) or, with `restore=1`, restore (lxc-restore.ts).
 * The VMID claim and `lock: create` happen before the UPID is returned; a failed task removes the
 * config again.
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
import { CONFIG_KEYS, NODE, VMID } from "./common.js";
import { givenConfig, rootfsVolume } from "./ct-config.js";
import { restoreContainer } from "./lxc-restore.js";

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

function createContainer(ctx: RouteContext): string {
  const { sim, params, principal, method, path } = ctx;
  const node = params.node!;
  const vmid = intParam(params, "vmid");
  sim.cluster.assertNode(node);
  if (params.password !== undefined && params.password.length < 5) {
    throw paramError({ password: "value must be at least 5 characters long" });
  }
  if (isTrue(params.restore)) return restoreContainer(ctx);
  const existing = sim.cluster.find(vmid);
  if (existing) throw die(`CT ${vmid} already exists on node '${existing.node}'`);
  checkVolume(sim, node, params.ostemplate!);
  const ct = createContainerRecord(
    node,
    vmid,
    buildConfig(params, vmid),
    params.password !== undefined,
    params.ostemplate,
  );
  ct.lock = "create";
  sim.cluster.add(ct);
  return startTask(sim, {
    node,
    type: "vzcreate",
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
    ...givenConfig(params),
  };
  config.rootfs = rootfsVolume(params.rootfs ?? `${storage}:4`, vmid);
  return config;
}
