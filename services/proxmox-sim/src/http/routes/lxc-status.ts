/**
 * Power state: `status/current` and the start/stop/shutdown/reboot tasks. The running-state and
 * lock checks run before the task, so misuse is a synchronous 500 like on a real node.
 */
import { die } from "../../errors.js";
import { containerUsage } from "../../metrics.js";
import { startTask } from "../../sim-context.js";
import {
  assertRunning,
  assertStopped,
  assertUnlocked,
  type ContainerRecord,
  markRunning,
  markStopped,
} from "../../state/container.js";
import { intParam, isTrue, type ParamSpec } from "../params.js";
import type { Route, RouteContext } from "../router.js";
import { NODE, VMID } from "./common.js";

interface PowerAction {
  readonly action: "start" | "stop" | "shutdown" | "reboot";
  readonly taskType: string;
  readonly params: ParamSpec;
  readonly precheck: (ct: ContainerRecord, skiplock: boolean) => void;
  readonly apply: (ct: ContainerRecord, log: (line: string) => void, ctx: RouteContext) => void;
}

const ACTIONS: readonly PowerAction[] = [
  {
    action: "start",
    taskType: "vzstart",
    params: { debug: "boolean?", skiplock: "boolean?" },
    precheck: (ct, skiplock) => {
      assertUnlocked(ct, skiplock);
      assertStopped(ct);
    },
    apply: (ct) => {
      // A second start that raced past the pre-check fails inside its task, as lxc-start would.
      if (ct.status === "running") throw new Error(`CT ${ct.vmid} already running`);
      markRunning(ct);
    },
  },
  {
    action: "stop",
    taskType: "vzstop",
    params: { "overrule-shutdown": "boolean?", skiplock: "boolean?" },
    precheck: (ct, skiplock) => {
      assertUnlocked(ct, skiplock);
      assertRunning(ct);
    },
    apply: (ct) => markStopped(ct),
  },
  {
    action: "shutdown",
    taskType: "vzshutdown",
    params: { forceStop: "boolean?", timeout: "integer?:0" },
    precheck: (ct) => {
      assertUnlocked(ct);
      assertRunning(ct);
    },
    apply: (ct, log, { sim, params }) => {
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
    precheck: (ct) => {
      assertUnlocked(ct);
      if (ct.status !== "running") throw die(`VM ${ct.vmid} not running`); // sic, PVE says "VM" here
    },
    apply: (ct) => markRunning(ct),
  },
];

function powerRoute(a: PowerAction): Route {
  return {
    method: "POST",
    path: `/nodes/{node}/lxc/{vmid}/status/${a.action}`,
    params: { node: NODE, vmid: VMID, ...a.params },
    handle: (ctx: RouteContext) => {
      const { sim, params, principal, method, path } = ctx;
      sim.cluster.assertNode(params.node!);
      const ct = sim.cluster.get(params.node!, intParam(params, "vmid"));
      a.precheck(ct, isTrue(params.skiplock));
      return startTask(sim, {
        node: ct.node,
        type: a.taskType,
        id: String(ct.vmid),
        user: principal.user,
        request: { method, path },
        run: (log) => a.apply(ct, log, ctx),
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
