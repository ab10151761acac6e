/** Decoders from raw Proxmox JSON records to the client's result types (lenient, see decode.ts). */
import { InternalError } from "@proximity/errors";
import type { ClusterResource, ContainerSummary, NodeSummary, TaskStatus } from "./api.js";
import { bool, compact, num, obj, str } from "./decode.js";
import type {
  ContainerInterface,
  PruneEntry,
  RrdPoint,
  SnapshotInfo,
  StorageContentItem,
  StorageSummary,
} from "./extended-api.js";

type Raw = Record<string, unknown>;

/** GET /nodes item. */
export function toNodeSummary(r: Raw): NodeSummary {
  const s = str(r.status);
  return compact({
    node: str(r.node) ?? "",
    status: s === "online" || s === "offline" ? s : "unknown",
    cpu: num(r.cpu),
    maxcpu: num(r.maxcpu),
    mem: num(r.mem),
    maxmem: num(r.maxmem),
    disk: num(r.disk),
    maxdisk: num(r.maxdisk),
    uptime: num(r.uptime),
  });
}

/** GET /nodes/{node}/lxc item or …/status/current. */
export function toContainerSummary(r: Raw): ContainerSummary {
  return compact({
    vmid: num(r.vmid) ?? 0,
    status: str(r.status) === "running" ? "running" : "stopped",
    name: str(r.name),
    cpu: num(r.cpu),
    cpus: num(r.cpus),
    mem: num(r.mem),
    maxmem: num(r.maxmem),
    disk: num(r.disk),
    maxdisk: num(r.maxdisk),
    uptime: num(r.uptime),
    lock: str(r.lock) || undefined,
    tags: str(r.tags),
    template: bool(r.template),
  });
}

/** GET /cluster/resources item. */
export function toClusterResource(r: Raw): ClusterResource {
  return compact({
    id: str(r.id) ?? "",
    type: str(r.type) ?? "",
    node: str(r.node),
    vmid: num(r.vmid),
    name: str(r.name),
    status: str(r.status),
    tags: str(r.tags),
    lock: str(r.lock) || undefined,
  });
}

/** GET …/tasks/{upid}/status. */
export function toTaskStatus(r: Raw, upid: string, node: string): TaskStatus {
  return compact({
    upid: str(r.upid) ?? upid,
    node: str(r.node) ?? node,
    status: str(r.status) === "running" ? "running" : "stopped",
    exitstatus: str(r.exitstatus),
    type: str(r.type) ?? "",
    id: str(r.id),
  });
}

/** GET …/snapshot item. */
export function toSnapshot(r: Raw): SnapshotInfo {
  return compact({
    name: str(r.name) ?? "",
    description: str(r.description),
    snaptime: num(r.snaptime),
    parent: str(r.parent),
  });
}

/** GET …/storage/{storage}/content item. */
export function toStorageContent(r: Raw): StorageContentItem {
  return compact({
    volid: str(r.volid) ?? "",
    content: str(r.content) ?? "",
    format: str(r.format),
    size: num(r.size),
    ctime: num(r.ctime),
    vmid: num(r.vmid),
    notes: str(r.notes),
    protected: bool(r.protected),
    subtype: str(r.subtype),
  });
}

/** GET …/prunebackups item. */
export function toPruneEntry(r: Raw): PruneEntry {
  return compact({
    volid: str(r.volid) ?? "",
    ctime: num(r.ctime) ?? 0,
    mark: str(r.mark) ?? "",
    type: str(r.type) ?? "",
    vmid: num(r.vmid),
  });
}

/** GET /nodes/{node}/storage item. */
export function toStorage(r: Raw): StorageSummary {
  return compact({
    storage: str(r.storage) ?? "",
    type: str(r.type) ?? "",
    content: str(r.content) ?? "",
    active: bool(r.active),
    enabled: bool(r.enabled),
    shared: bool(r.shared),
    total: num(r.total),
    used: num(r.used),
    avail: num(r.avail),
  });
}

/** GET …/rrddata item: every numeric field kept. */
export function toRrdPoint(r: Raw): RrdPoint {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) {
    const n = num(v);
    if (n !== undefined) out[k] = n;
  }
  return { ...out, time: out.time ?? 0 };
}

/** GET …/interfaces item. */
export function toInterface(r: Raw): ContainerInterface {
  return compact({ name: str(r.name) ?? "", hwaddr: str(r.hwaddr), inet: str(r.inet), inet6: str(r.inet6) });
}

/** Decodes a list with `fn`, ignoring non-object entries. */
export function list<T>(data: unknown, fn: (r: Raw) => T): T[] {
  return Array.isArray(data) ? data.map((x) => fn(obj(x))) : [];
}

/** The UPID an async call returned; InternalError when the answer is not one. */
export function toUpid(data: unknown): string {
  const upid = str(data);
  if (!upid?.startsWith("UPID:")) throw new InternalError("Proxmox did not return a task id");
  return upid;
}
