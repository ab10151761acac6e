/**
 * Calls beyond the ProxmoxClient contract (snapshots, clones, backups, storage, metrics), offered by
 * the client `createProxmoxClient` returns. Kept apart from api.ts so that the contract the provisioner
 * codes against (and its test fakes) stays as small as it is.
 */
import type { ProxmoxClient, Upid } from "./api.js";

/** One entry of GET …/snapshot (the list includes a `current` pseudo-entry). */
export interface SnapshotInfo {
  readonly name: string;
  readonly description?: string;
  /** Unix seconds; absent for `current`. */
  readonly snaptime?: number;
  readonly parent?: string;
}

/** Parameters of POST …/clone (names as in the PVE API). */
export interface CloneContainerParams {
  readonly newid: number;
  readonly hostname?: string;
  readonly description?: string;
  readonly pool?: string;
  readonly snapname?: string;
  readonly storage?: string;
  readonly full?: boolean;
  readonly target?: string;
}

/** Parameters of POST /nodes/{node}/vzdump for one or more containers. */
export interface VzdumpParams {
  readonly vmid: number | readonly number[];
  readonly storage?: string;
  readonly mode?: "snapshot" | "suspend" | "stop";
  readonly compress?: "0" | "1" | "gzip" | "lzo" | "zstd";
  /** Sent as `notes-template`; needs `storage`. */
  readonly notesTemplate?: string;
  /** Needs `storage`. */
  readonly protected?: boolean;
  readonly remove?: boolean;
}

/** Restore of a backup archive into container `vmid` (POST /nodes/{node}/lxc with restore=1). */
export interface RestoreContainerParams {
  readonly vmid: number;
  /** Backup volid, e.g. "local:backup/vzdump-lxc-100-2026_01_01-00_00_00.tar.zst". */
  readonly archive: string;
  readonly storage?: string;
  /** Overwrite an existing (stopped) container. */
  readonly force?: boolean;
  /** Overrides the backed-up hostname (a restore into a new VMID). */
  readonly hostname?: string;
  /**
   * Override the backed-up description and tags (config keys given win over the archive's): a
   * restore into a new VMID is marked for its new owner when the task writes the config.
   */
  readonly description?: string;
  readonly tags?: string;
  /** Assign a new random MAC address (a copy running beside its source). */
  readonly unique?: boolean;
  readonly start?: boolean;
}

/** One volume in a storage. */
export interface StorageContentItem {
  readonly volid: string;
  readonly content: string;
  readonly format?: string;
  readonly size?: number;
  /** Unix seconds. */
  readonly ctime?: number;
  readonly vmid?: number;
  readonly notes?: string;
  readonly protected?: boolean;
  readonly subtype?: string;
}

/** Retention for pruning (names as in PVE's `prune-backups`); absent or 0 = not used. */
export interface PruneBackupsOptions {
  readonly keepAll?: boolean;
  readonly keepLast?: number;
  readonly keepHourly?: number;
  readonly keepDaily?: number;
  readonly keepWeekly?: number;
  readonly keepMonthly?: number;
  readonly keepYearly?: number;
}

/** One entry of the prune preview. */
export interface PruneEntry {
  readonly volid: string;
  readonly ctime: number;
  readonly mark: string; // keep | remove | protected | renamed
  readonly type: string;
  readonly vmid?: number;
}

/** One storage as seen from a node. */
export interface StorageSummary {
  readonly storage: string;
  readonly type: string;
  readonly content: string;
  readonly active?: boolean;
  readonly enabled?: boolean;
  readonly shared?: boolean;
  readonly total?: number;
  readonly used?: number;
  readonly avail?: number;
}

/** One sample of GET …/rrddata; fields may be missing for empty slots. */
export interface RrdPoint {
  readonly time: number;
  readonly [metric: string]: number | undefined;
}

/** A network interface of a running container (GET …/interfaces). */
export interface ContainerInterface {
  readonly name: string;
  readonly hwaddr?: string;
  readonly inet?: string;
  readonly inet6?: string;
}

/** ProxmoxClient plus the optional calls above and `close()`. */
export interface ExtendedProxmoxClient extends ProxmoxClient {
  listSnapshots(node: string, vmid: number): Promise<SnapshotInfo[]>;
  createSnapshot(node: string, vmid: number, snapname: string, description?: string): Promise<Upid>;
  deleteSnapshot(node: string, vmid: number, snapname: string, options?: { force?: boolean }): Promise<Upid>;
  rollbackSnapshot(
    node: string,
    vmid: number,
    snapname: string,
    options?: { start?: boolean },
  ): Promise<Upid>;
  cloneContainer(node: string, vmid: number, params: CloneContainerParams): Promise<Upid>;
  /** Backup; the archive volid is not returned, list the storage afterwards. */
  vzdump(node: string, params: VzdumpParams): Promise<Upid>;
  restoreContainer(node: string, params: RestoreContainerParams): Promise<Upid>;
  /** Sets config keys (PUT …/config, synchronous); `delete` lists keys to remove, `digest` guards edits. */
  updateContainerConfig(
    node: string,
    vmid: number,
    params: Readonly<Record<string, string | number | boolean>>,
    options?: { delete?: readonly string[]; digest?: string },
  ): Promise<void>;
  containerInterfaces(node: string, vmid: number): Promise<ContainerInterface[]>;
  listStorages(node: string, options?: { content?: string; enabled?: boolean }): Promise<StorageSummary[]>;
  listStorageContent(
    node: string,
    storage: string,
    options?: { content?: string; vmid?: number },
  ): Promise<StorageContentItem[]>;
  /** Container templates (`content=vztmpl`) of a storage. */
  listTemplates(node: string, storage: string): Promise<StorageContentItem[]>;
  /** Deletes a volume; a UPID, or null when `delay` was given and it finished within it. */
  deleteStorageContent(
    node: string,
    storage: string,
    volume: string,
    options?: { delay?: number },
  ): Promise<Upid | null>;
  /** Sets a backup volume's notes and/or protection (PUT …/content/{volume}, synchronous). */
  updateStorageContent(
    node: string,
    storage: string,
    volume: string,
    attrs: { notes?: string; protected?: boolean },
  ): Promise<void>;
  /** What a prune with `keep` would keep and remove (GET …/prunebackups). */
  previewPruneBackups(
    node: string,
    storage: string,
    keep: PruneBackupsOptions,
    options?: { vmid?: number },
  ): Promise<PruneEntry[]>;
  /** Removes the backups `keep` does not cover (task prunebackups); protected ones always stay. */
  pruneBackups(
    node: string,
    storage: string,
    keep: PruneBackupsOptions,
    options?: { vmid?: number },
  ): Promise<Upid>;
  containerRrdData(
    node: string,
    vmid: number,
    timeframe: "hour" | "day" | "week" | "month" | "year",
    cf?: "AVERAGE" | "MAX",
  ): Promise<RrdPoint[]>;
  /** Closes the connection pool of this client (the breaker registry is not touched). */
  close(): Promise<void>;
}
