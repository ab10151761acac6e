/**
 * Storages per node: `local` (directory: templates, backups), `local-lvm` (thin pool: CT root
 * disks) and `backup` (a directory only for backups). Template volumes are seeded; backups appear
 * when vzdump tasks finish.
 */
import { die } from "../errors.js";
import type { ArchiveContents } from "./backup.js";

export interface StorageDef {
  readonly storage: string;
  readonly type: "dir" | "lvmthin";
  readonly content: string;
  readonly total: number;
  readonly shared: 0;
  /** Mount path of a directory storage (backups live in `<path>/dump`). */
  readonly path?: string;
}

export interface VolumeEntry {
  readonly volid: string;
  readonly content: "vztmpl" | "backup" | "rootdir";
  readonly format: string;
  readonly size: number;
  readonly ctime: number;
  readonly vmid?: number;
  readonly subtype?: "lxc";
  readonly notes?: string;
  readonly protected?: 0 | 1;
  /** For backups: the CT config and guest at dump time (restore uses them). Never sent over the API. */
  readonly archive?: ArchiveContents;
}

export interface StorageState {
  list(node: string): StorageDef[];
  /** Dies `storage '<id>' does not exist` like pvesm. */
  get(node: string, storage: string): StorageDef;
  volumes(node: string, storage: string): VolumeEntry[];
  findVolume(node: string, volid: string): VolumeEntry | undefined;
  /** Adds a volume, replacing one with the same volid (a file written again). */
  add(node: string, entry: VolumeEntry): void;
  remove(node: string, volid: string): boolean;
  /** Sets the attributes PUT …/content/{volume} changes. */
  update(node: string, volid: string, attrs: { notes?: string; protected?: boolean }): void;
}

const GiB = 1024 ** 3;
const STORAGES: readonly StorageDef[] = [
  {
    storage: "local",
    type: "dir",
    content: "vztmpl,iso,backup",
    total: 100 * GiB,
    shared: 0,
    path: "/var/lib/vz",
  },
  { storage: "local-lvm", type: "lvmthin", content: "rootdir,images", total: 400 * GiB, shared: 0 },
  { storage: "backup", type: "dir", content: "backup", total: 2048 * GiB, shared: 0, path: "/mnt/backup" },
];

/** Templates every node has downloaded already. */
export const SEEDED_TEMPLATES: readonly string[] = [
  "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
  "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst",
  "local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst",
];

/** Creates storage state for `nodes`, each with the seeded templates. */
export function createStorageState(nodes: readonly string[]): StorageState {
  const volumes = new Map<string, VolumeEntry[]>(); // key: "<node>/<volid>" prefix-free list per node
  const ctime = Math.floor(Date.now() / 1000) - 86_400;
  for (const node of nodes) {
    volumes.set(
      node,
      SEEDED_TEMPLATES.map((volid) => ({
        volid,
        content: "vztmpl",
        format: "tzst",
        size: 126_322_512,
        ctime,
      })),
    );
  }
  const of = (node: string) => volumes.get(node) ?? [];
  return {
    list: () => [...STORAGES],
    get(_node, storage) {
      const def = STORAGES.find((s) => s.storage === storage);
      if (!def) throw die(`storage '${storage}' does not exist`);
      return def;
    },
    volumes: (node, storage) => of(node).filter((v) => v.volid.startsWith(`${storage}:`)),
    findVolume: (node, volid) => of(node).find((v) => v.volid === volid),
    add(node, entry) {
      volumes.set(node, [...of(node).filter((v) => v.volid !== entry.volid), entry]);
    },
    remove(node, volid) {
      const before = of(node);
      volumes.set(
        node,
        before.filter((v) => v.volid !== volid),
      );
      return before.length !== of(node).length;
    },
    update(node, volid, attrs) {
      volumes.set(
        node,
        of(node).map((v) => {
          if (v.volid !== volid) return v;
          const { notes: _n, protected: _p, ...rest } = v;
          const notes = attrs.notes ?? v.notes;
          const prot = attrs.protected ?? v.protected === 1;
          return { ...rest, ...(notes ? { notes } : {}), ...(prot ? { protected: 1 as const } : {}) };
        }),
      );
    },
  };
}

/** Sum of the sizes on a storage (for used/avail). */
export function usedBytes(state: StorageState, node: string, storage: string): number {
  return state.volumes(node, storage).reduce((sum, v) => sum + v.size, 0);
}
