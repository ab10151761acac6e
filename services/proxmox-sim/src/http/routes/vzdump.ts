/**
 * `POST /nodes/{node}/vzdump` (task vzdump; id = the vmid when there is one), following
 * PVE::VZDump: each guest holds `lock: backup` while the job runs; a stopped guest is always backed
 * up in stop mode; snapshot mode on a root disk that cannot be snapshotted falls back to suspend;
 * stop mode shuts a running guest down for the dump and starts it again; snapshot and suspend keep
 * it running. A guest that fails (already locked, storage full) is logged `ERROR: Backup of VM …
 * failed` and leaves no archive (the partial `.dat` file is removed); the job then ends `job errors`.
 * A storage that cannot hold backups fails the whole job before any guest is touched.
 */
import { paramError } from "../../errors.js";
import { type SimContext, startTask } from "../../sim-context.js";
import {
  type ArchiveContents,
  archiveBaseName,
  archiveCommand,
  archiveName,
  backupVolume,
  captureArchive,
  isCompression,
  renderNotes,
  storageFullError,
} from "../../state/backup.js";
import { type ContainerRecord, markRunning, markStopped } from "../../state/container.js";
import { keepsAll, parsePruneOptions } from "../../state/prune.js";
import { isTrue, type Params } from "../params.js";
import type { Route, RouteContext } from "../router.js";
import { NODE } from "./common.js";
import { pruneBackups } from "./storage-prune.js";

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

type Mode = "snapshot" | "suspend" | "stop";

/** One guest of the job, as prepared when the worker starts. */
interface GuestJob {
  readonly ct: ContainerRecord;
  readonly mode: Mode;
  readonly wasRunning: boolean;
  readonly fellBack: boolean;
  /** Already locked by someone else: this guest fails. */
  readonly lockedBy: string | undefined;
  /** Captured at the start (snapshot, stop); suspend mode copies at the end (final sync). */
  contents: ArchiveContents | undefined;
}

function vzdump(ctx: RouteContext): string {
  const { sim, params } = ctx;
  const node = params.node!;
  sim.cluster.assertNode(node);
  const guests = selectGuests(sim, node, params);
  const storage = params.storage ?? "local";
  if (params["notes-template"] !== undefined && params.storage === undefined) {
    throw paramError({ "notes-template": "missing property - 'storage' is required with 'notes-template'" });
  }
  const compress = params.compress ?? "0";
  if (!isCompression(compress)) throw paramError({ compress: `invalid value '${compress}'` });
  const keep = params["prune-backups"] === undefined ? undefined : parsePruneOptions(params["prune-backups"]);
  const storageError = backupStorageError(sim, node, storage);
  const requested = (params.mode ?? "snapshot") as Mode;
  // VZDump->new fails on the storage before any guest is locked or stopped.
  const jobs = storageError === undefined ? guests.map((ct) => prepare(sim, ct, requested)) : [];
  const release = () => {
    for (const j of jobs) {
      if (j.lockedBy === undefined && j.ct.lock === "backup") j.ct.lock = undefined;
    }
  };
  const restart = (log: (line: string) => void, j: GuestJob) => {
    if (j.mode !== "stop" || !j.wasRunning || j.ct.status === "running") return;
    log("INFO: restarting vm");
    markRunning(j.ct);
    log("INFO: guest is online again after <1 seconds");
  };
  return startTask(sim, {
    node,
    type: "vzdump",
    id: guests.length === 1 ? String(guests[0]!.vmid) : "",
    user: ctx.principal.user,
    request: { method: ctx.method, path: ctx.path },
    run: (log) => {
      if (storageError !== undefined) throw new Error(storageError);
      log(`INFO: starting new backup job: vzdump ${commandLine(params)}`);
      const at = new Date();
      let errors = 0;
      for (const j of jobs) {
        const failure = backupGuest(sim, j, { node, storage, compress, at, params, log });
        if (j.lockedBy === undefined && j.ct.lock === "backup") j.ct.lock = undefined;
        restart(log, j);
        if (failure !== undefined) {
          errors++;
          log(`ERROR: Backup of VM ${j.ct.vmid} failed - ${failure}`);
          log(`INFO: Failed at ${stamp(new Date())}`);
          continue;
        }
        if (keep !== undefined && isTrue(params.remove ?? "1") && !keepsAll(keep)) {
          log(`INFO: prune older backups with retention: ${params["prune-backups"]}`);
          const removed = pruneBackups(sim, node, storage, keep, j.ct.vmid, (line) => log(`INFO: ${line}`));
          log(
            `INFO: pruned ${removed} backup(s)${removed > 0 ? " not covered by keep-retention policy" : ""}`,
          );
        }
        log(`INFO: Finished Backup of VM ${j.ct.vmid} (00:00:01)`);
        log(`INFO: Backup finished at ${stamp(new Date())}`);
      }
      log(errors > 0 ? "INFO: Backup job finished with errors" : "INFO: Backup job finished successfully");
      if (errors > 0) throw new Error("job errors");
    },
    // An injected task failure: the guests are unlocked and a stopped one is started again.
    rollback: () => {
      release();
      for (const j of jobs) restart(() => {}, j);
    },
  });
}

/** What the worker does first for `ct`: lock it, pick the mode, stop it or take the snapshot. */
function prepare(sim: SimContext, ct: ContainerRecord, requested: Mode): GuestJob {
  const lockedBy = ct.lock;
  const wasRunning = ct.status === "running";
  let mode: Mode = wasRunning ? requested : "stop";
  const fellBack = mode === "snapshot" && !snapshotCapable(sim, ct);
  if (fellBack) mode = "suspend";
  const job: GuestJob = { ct, mode, wasRunning, fellBack, lockedBy, contents: undefined };
  if (lockedBy !== undefined) return job;
  ct.lock = "backup";
  if (mode === "stop" && wasRunning) markStopped(ct);
  if (mode !== "suspend") job.contents = captureArchive(ct);
  return job;
}

interface DumpContext {
  readonly node: string;
  readonly storage: string;
  readonly compress: string;
  readonly at: Date;
  readonly params: Params;
  readonly log: (line: string) => void;
}

/** Writes one guest's archive; returns the error vzdump reports for it, if any. */
function backupGuest(sim: SimContext, j: GuestJob, d: DumpContext): string | undefined {
  const { ct } = j;
  const { log } = d;
  log(`INFO: Starting Backup of VM ${ct.vmid} (lxc)`);
  log(`INFO: Backup started at ${stamp(d.at)}`);
  if (j.lockedBy !== undefined) return `CT is locked (${j.lockedBy})`;
  log(`INFO: status = ${j.wasRunning ? "running" : "stopped"}`);
  log(`INFO: CT Name: ${String(ct.config.hostname ?? "")}`);
  log("INFO: including mount point rootfs ('/') in backup");
  if (j.fellBack) {
    log("INFO: mode failure - some volumes do not support snapshots");
    log("INFO: trying 'suspend' mode instead");
  }
  log(`INFO: backup mode: ${j.mode}`);
  log("INFO: ionice priority: 7");
  if (j.mode === "stop" && j.wasRunning) log("INFO: stopping virtual guest");
  if (j.mode === "suspend") {
    log("INFO: starting first sync /proc/1/root/ to /var/tmp/vzdumptmp");
    log("INFO: suspending guest");
    log("INFO: starting final sync /proc/1/root/ to /var/tmp/vzdumptmp");
    j.contents = captureArchive(ct);
    log("INFO: resuming guest");
    log("INFO: guest is online again after <1 seconds");
  }
  if (j.mode === "snapshot") log("INFO: create storage snapshot 'vzdump'");
  const dumpPath = `${dumpDir(sim, d.node, d.storage)}/${archiveName(ct.vmid, d.at, d.compress)}`;
  log(`INFO: creating vzdump archive '${dumpPath}'`);
  if (sim.faults.forStorageFull(d.storage, ct.vmid)) {
    const full = storageFullError(d.compress);
    log(`INFO: ${full.message}`);
    if (j.mode === "snapshot") log("INFO: cleanup temporary 'vzdump' snapshot");
    const tmp = `${dumpDir(sim, d.node, d.storage)}/${archiveBaseName(ct.vmid, d.at)}.tar.dat`;
    return `command '${archiveCommand(ct.vmid, tmp, d.compress)}' failed: exit code ${full.code}`;
  }
  const notesTemplate = d.params["notes-template"];
  const entry = backupVolume(ct.vmid, j.contents ?? captureArchive(ct), {
    storage: d.storage,
    compress: d.compress,
    at: d.at,
    protected: isTrue(d.params.protected),
    ...(notesTemplate ? { notes: renderNotes(notesTemplate, noteVars(sim, ct)) } : {}),
  });
  sim.storage.add(d.node, entry);
  const data = j.contents?.dataBytes ?? entry.size;
  log(`INFO: Total bytes written: ${data} (${(data / 1024 ** 2).toFixed(0)}MiB, 250MiB/s)`);
  log(`INFO: archive file size: ${(entry.size / 1024 ** 2).toFixed(0)}MB`);
  if (notesTemplate) log("INFO: adding notes to backup");
  if (entry.protected) log("INFO: marking backup as protected");
  if (j.mode === "snapshot") log("INFO: cleanup temporary 'vzdump' snapshot");
  return undefined;
}

/** VZDump->new's storage_info check: only file-level storages with `backup` content. */
function backupStorageError(sim: SimContext, node: string, storage: string): string | undefined {
  const def = sim.storage.list(node).find((s) => s.storage === storage);
  const prefix = `could not get storage information for '${storage}': `;
  if (!def) return `${prefix}storage '${storage}' does not exist`;
  if (def.type !== "dir") return `${prefix}can't use storage type '${def.type}' for backup`;
  if (!def.content.split(",").includes("backup")) {
    return `${prefix}can't use storage '${storage}' for backups - wrong content type`;
  }
  return undefined;
}

function dumpDir(sim: SimContext, node: string, storage: string): string {
  const def = sim.storage.list(node).find((s) => s.storage === storage);
  return `${def?.path ?? `/mnt/pve/${storage}`}/dump`;
}

/** PVE checks the `snapshot` feature of every volume: a root disk on a directory storage has none. */
function snapshotCapable(sim: SimContext, ct: ContainerRecord): boolean {
  const storage = String(ct.config.rootfs ?? "").split(":")[0] ?? "";
  return sim.storage.list(ct.node).find((s) => s.storage === storage)?.type !== "dir";
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

/** `vzdump 101 --mode snapshot --storage local …` as the job's first log line shows it. */
function commandLine(params: Params): string {
  const opts = Object.entries(params)
    .filter(([k]) => k !== "vmid" && k !== "node")
    .map(([k, v]) => `--${k} ${/^[\w.,=-]+$/.test(v) ? v : `'${v}'`}`);
  return [params.vmid ?? "", ...opts].filter(Boolean).join(" ");
}

function stamp(d: Date): string {
  return d.toISOString().replace("T", " ").slice(0, 19);
}
