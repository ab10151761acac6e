/**
 * `POST /nodes/{node}/vzdump` (task vzdump; id = the vmid when there is one). Each guest holds
 * `lock: backup` while the job runs; a guest that is already locked fails inside the task
 * ("job errors"), as vzdump does, while the others are still backed up.
 */
import { die, paramError } from "../../errors.js";
import { containerUsage } from "../../metrics.js";
import { type SimContext, startTask } from "../../sim-context.js";
import { backupVolume, isCompression, renderNotes } from "../../state/backup.js";
import type { ContainerRecord } from "../../state/container.js";
import { isTrue, type Params } from "../params.js";
import type { Route, RouteContext } from "../router.js";
import { NODE } from "./common.js";

export const vzdumpRoute: Route = {
  method: "POST",
  path: "/nodes/{node}/vzdump",
  params: {
    node: NODE,
    vmid: "string?",
    all: "boolean?",
    storage: "string?",
    mode: "string?:snapshot|suspend|stop",
    compress: "string?:0|1|gzip|lzo|zstd",
    "notes-template": "string?",
    protected: "boolean?",
    remove: "boolean?",
    "prune-backups": "string?",
    zstd: "integer?:0",
    bwlimit: "integer?:0",
    mailnotification: "string?:always|failure",
    "notification-mode": "string?:auto|legacy-sendmail|notification-system",
  },
  handle: (ctx) => vzdump(ctx),
};

function vzdump(ctx: RouteContext): string {
  const { sim, params } = ctx;
  const node = params.node!;
  sim.cluster.assertNode(node);
  const guests = selectGuests(sim, node, params);
  const storage = params.storage ?? "local";
  if (!sim.storage.get(node, storage).content.split(",").includes("backup")) {
    throw die(`storage '${storage}' does not support backup content`);
  }
  if (params["notes-template"] !== undefined && params.storage === undefined) {
    throw paramError({ "notes-template": "missing property - 'storage' is required with 'notes-template'" });
  }
  const compress = params.compress ?? "0";
  if (!isCompression(compress)) throw paramError({ compress: `invalid value '${compress}'` });
  const locked = new Set(guests.filter((ct) => ct.lock !== undefined));
  const mine = guests.filter((ct) => !locked.has(ct));
  for (const ct of mine) ct.lock = "backup";
  const release = () => {
    for (const ct of mine) if (ct.lock === "backup") ct.lock = undefined;
  };
  return startTask(sim, {
    node,
    type: "vzdump",
    id: guests.length === 1 ? String(guests[0]!.vmid) : "",
    user: ctx.principal.user,
    request: { method: ctx.method, path: ctx.path },
    run: (log) => {
      release();
      const at = new Date();
      for (const ct of guests) {
        if (locked.has(ct)) {
          log(`ERROR: Backup of VM ${ct.vmid} failed - CT is locked (${ct.lock})`);
          continue;
        }
        const notes = params["notes-template"];
        const entry = backupVolume(ct, {
          storage,
          compress,
          at,
          protected: isTrue(params.protected),
          diskBytes: containerUsage(ct).disk,
          ...(notes !== undefined ? { notes: renderNotes(notes, noteVars(sim, ct)) } : {}),
        });
        sim.storage.add(node, entry);
        log(`INFO: creating vzdump archive '${entry.volid.split(":")[1]}'`);
        log(`INFO: Finished Backup of VM ${ct.vmid}`);
      }
      if (locked.size > 0) throw new Error("job errors");
    },
    rollback: release,
  });
}

/** The guests named by `vmid` (a list) or `all`; each must live on `node`. */
function selectGuests(sim: SimContext, node: string, params: Params): ContainerRecord[] {
  if (isTrue(params.all)) return sim.cluster.list(node);
  if (params.vmid === undefined) throw paramError({ vmid: "property is missing and it is not optional" });
  const ids = params.vmid.split(/[,;\s]+/).filter(Boolean);
  if (!ids.every((id) => /^[1-9]\d{2,8}$/.test(id))) {
    throw paramError({ vmid: `value '${params.vmid}' does not look like a valid vmid list` });
  }
  return ids.map((id) => sim.cluster.get(node, Number(id)));
}

function noteVars(sim: SimContext, ct: ContainerRecord): Record<string, string> {
  return {
    cluster: sim.cluster.name,
    guestname: String(ct.config.hostname ?? ""),
    node: ct.node,
    vmid: String(ct.vmid),
  };
}
