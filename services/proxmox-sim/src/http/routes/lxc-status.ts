/**
 * Power state: `status/current` and the start/stop/shutdown/reboot tasks, checked where
 * pve-container's Status.pm checks them. Before the task forks only the running state (on this
 * node) is checked, so that misuse is a synchronous 500. The configuration is read and its lock
 * checked inside the task, under the config lock, so a CT gone (or on another node) or locked
 * fails the task, as `lxc@<vmid>` would never be reached. Reboot checks no lock.
 */
import { die } from "../../errors.js";
import { containerUsage } from "../../metrics.js";
import { startTask } from "../../sim-context.js";
import { assertUnlocked, type ContainerRecord, markRunning, markStopped } from "../../state/container.js";
import { intParam, isTrue, type ParamSpec } from "../params.js";
import type { Route, RouteContext } from "../router.js";
import { NODE, VMID } from "./common.js";

interface PowerAction {
  readonly action: "start" | "stop" | "shutdown" | "reboot";
  readonly taskType: string;
  readonly params: ParamSpec;
  /** Before the task: `running` is whether CT `vmid` runs on the addressed node. */
  readonly precheck: (vmid: number, running: boolean) => void;
  /** As the task begins, once the configuration is loaded: its lock (throwing fails the task). */
  readonly check?: (ct: ContainerRecord, ctx: RouteContext) => void;
  /** The effect, as the task ends (throwing fails it). */
  readonly run: (ct: ContainerRecord, log: (line: string) => void, ctx: RouteContext) => void;
}

const ACTIONS: readonly PowerAction[] = [
  {
    action: "start",
    taskType: "vzstart",
    params: { debug: "boolean?", skiplock: "boolean?" },
    precheck: (vmid, running) => {
      if (running) throw die(`CT ${vmid} already running`);
    },
    check: (ct, { params }) => assertUnlocked(ct, isTrue(params.skiplock)),
    run: (ct) => {
      // A second start that raced past the pre-check fails inside its task, as lxc-start would.
      if (ct.status === "running") throw new Error(`CT ${ct.vmid} already running`);
      markRunning(ct);
    },
  },
  {
    action: "stop",
    taskType: "vzstop",
    params: { "overrule-shutdown": "boolean?", skiplock: "boolean?" },
    precheck: (vmid, running) => {
      if (!running) throw die(`CT ${vmid} not running`);
    },
    check: (ct, { params }) => assertUnlocked(ct, isTrue(params.skiplock)),
    run: (ct) => markStopped(ct),
  },
  {
    action: "shutdown",
    taskType: "vzshutdown",
    params: { forceStop: "boolean?", timeout: "integer?:0" },
    precheck: (vmid, running) => {
      if (!running) throw die(`CT ${vmid} not running`);
    },
    check: (ct) => assertUnlocked(ct),
    run: (ct, log, { sim, params }) => {
      if (ct.status !== "running") return; // stopped meanwhile: vm_stop finds no command socket
      if (sim.faults.forShutdown(ct.vmid)) {
        // The guest ignored the halt signal for `timeout` seconds (default 60): lxc-stop gives up,
        // unless forceStop let it kill the container.
        const force = isTrue(params.forceStop);
        const command = `lxc-stop -n ${ct.vmid}${force ? "" : " --nokill"} --timeout ${params.timeout ?? 60}`;
        if (!force) throw new Error(`command '${command}' failed: exit code 1`);
        log(`container did not shut down within the timeout, killing it`);
      }
      markStopped(ct);
    },
  },
  {
    action: "reboot",
    taskType: "vzreboot",
    params: { timeout: "integer?:0" },
    precheck: (vmid, running) => {
      if (!running) throw die(`VM ${vmid} not running`); // sic, PVE says "VM" here
    },
    run: (ct) => markRunning(ct),
  },
];

function powerRoute(a: PowerAction): Route {
  return {
    method: "POST",
    path: `/nodes/{node}/lxc/{vmid}/status/${a.action}`,
    params: { node: NODE, vmid: VMID, ...a.params },
    handle: (ctx: RouteContext) => {
      const { sim, params, principal, method, path } = ctx;
      const node = params.node!;
      const vmid = intParam(params, "vmid");
      sim.cluster.assertNode(node);
      const here = sim.cluster.find(vmid);
      a.precheck(vmid, here?.node === node && here.status === "running");
      return startTask(sim, {
        node,
        type: a.taskType,
        id: String(vmid),
        user: principal.user,
        request: { method, path },
        // load_config inside the worker: a CT not on this node, or gone meanwhile, fails the task.
        check: () => a.check?.(sim.cluster.get(node, vmid), ctx),
        run: (log) => a.run(sim.cluster.get(node, vmid), log, ctx),
      });
    },
  };
}

export const lxcStatusRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/nodes/{node}/lxc/{vmid}/status/current",
    params: { node: NODE, vmid: VMID },
    handle: ({ sim, params }) => {
      sim.cluster.assertNode(params.node!);
      const ct = sim.cluster.get(params.node!, intParam(params, "vmid"));
      const u = containerUsage(ct);
      return {
        vmid: ct.vmid,
        status: ct.status,
        name: String(ct.config.hostname ?? ""),
        type: "lxc",
        ...u,
        ha: { managed: 0 },
        ...(ct.status === "running" ? { pid: 100_000 + ct.vmid } : {}),
        ...(ct.lock ? { lock: ct.lock } : {}),
        ...(ct.config.tags ? { tags: String(ct.config.tags) } : {}),
      };
    },
  },
  ...ACTIONS.map(powerRoute),
];
