/**
 * Task status, log and list. A garbled UPID is a 400 on the `upid` parameter, as in PVE.
 */
import { paramError } from "../../errors.js";
import type { SimContext } from "../../sim-context.js";
import type { TaskRecord } from "../../state/tasks.js";
import { parseUpid } from "../../state/upid.js";
import { intParam, isTrue, type Params } from "../params.js";
import { EnvelopeReply, type Route } from "../router.js";
import { NODE, OPT_VMID } from "./common.js";

function findTask(sim: SimContext, params: Params): TaskRecord {
  sim.cluster.assertNode(params.node!);
  const upid = params.upid ?? "";
  if (!parseUpid(upid)) throw paramError({ upid: `unable to parse worker upid '${upid}'` });
  const task = sim.tasks.get(upid);
  if (!task || task.node !== params.node) throw paramError({ upid: "no such task" });
  return task;
}

function taskInfo(t: TaskRecord) {
  return {
    upid: t.upid,
    node: t.node,
    pid: t.pid,
    pstart: t.pstart,
    starttime: t.starttime,
    type: t.type,
    id: t.id,
    user: t.user,
  };
}

export const taskRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/nodes/{node}/tasks/{upid}/status",
    params: { node: NODE, upid: "string" },
    handle: ({ sim, params }) => {
      const t = findTask(sim, params);
      return {
        ...taskInfo(t),
        status: t.status,
        ...(t.exitstatus !== undefined ? { exitstatus: t.exitstatus } : {}),
      };
    },
  },
  {
    method: "GET",
    path: "/nodes/{node}/tasks/{upid}/log",
    params: { node: NODE, upid: "string", start: "integer?:0", limit: "integer?:0", download: "boolean?" },
    handle: ({ sim, params }) => {
      const t = findTask(sim, params);
      const start = params.start === undefined ? 0 : intParam(params, "start");
      const limit = params.limit === undefined ? 50 : intParam(params, "limit");
      const lines = t.log.map((text, i) => ({ n: i + 1, t: text }));
      return new EnvelopeReply(lines.slice(start, start + limit), { total: lines.length });
    },
  },
  {
    method: "GET",
    path: "/nodes/{node}/tasks",
    params: {
      node: NODE,
      errors: "boolean?",
      limit: "integer?:0",
      since: "integer?",
      source: "string?:archive|active|all",
      start: "integer?:0",
      statusfilter: "string?",
      typefilter: "string?",
      until: "integer?",
      userfilter: "string?",
      vmid: OPT_VMID,
    },
    handle: ({ sim, params }) => {
      sim.cluster.assertNode(params.node!);
      const source = params.source ?? "archive";
      const start = params.start === undefined ? 0 : intParam(params, "start");
      const limit = params.limit === undefined ? 50 : intParam(params, "limit");
      const tasks = sim.tasks.list(params.node!).filter((t) => {
        if (source === "active" && t.status !== "running") return false;
        if (source === "archive" && t.status === "running") return false;
        if (params.vmid !== undefined && t.id !== params.vmid) return false;
        if (params.typefilter !== undefined && t.type !== params.typefilter) return false;
        if (params.userfilter !== undefined && !t.user.includes(params.userfilter)) return false;
        if (isTrue(params.errors) && t.exitstatus === "OK") return false;
        return true;
      });
      const page = tasks.slice(start, start + limit).map((t) => ({
        ...taskInfo(t),
        ...(t.exitstatus !== undefined ? { status: t.exitstatus } : {}),
        ...(t.endtime !== undefined ? { endtime: t.endtime } : {}),
      }));
      return new EnvelopeReply(page, { total: tasks.length });
    },
  },
];
