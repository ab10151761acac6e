/**
 * What a backup, restore or archive deletion request may ask of Proxmox, checked before any effect:
 * vzdump modes and compressors by name, PVE storage ids, and backup volume ids of that storage.
 * Each check returns a problem sentence (safe to show: it never quotes the value) or undefined.
 */

export type BackupMode = "snapshot" | "suspend" | "stop";
export type BackupCompression = "zstd" | "gzip" | "lzo";

const MODES: readonly BackupMode[] = ["snapshot", "suspend", "stop"];
const COMPRESSIONS: readonly BackupCompression[] = ["zstd", "gzip", "lzo"];

/** A PVE storage id (`pve-storage-id`), at most 64 characters. */
export function isStorageId(s: string): boolean {
  return s.length <= 64 && /^[a-z][a-z0-9\-_.]*$/.test(s);
}

/** The vzdump settings of a BackupRequested, with the defaults applied ("" = default). */
export interface BackupSettings {
  readonly mode: BackupMode;
  readonly compression: BackupCompression;
  /** "" = the host's backup storage. */
  readonly storage: string;
}

/** @returns the settings, or the problem with them. */
export function backupSettings(request: {
  readonly mode: string;
  readonly compression: string;
  readonly storage: string;
}): BackupSettings | string {
  const mode = (request.mode || "snapshot") as BackupMode;
  const compression = (request.compression || "zstd") as BackupCompression;
  if (!MODES.includes(mode)) return "the mode must be snapshot, suspend or stop";
  if (!COMPRESSIONS.includes(compression)) return "the compression must be zstd, gzip or lzo";
  if (request.storage !== "" && !isStorageId(request.storage))
    return "the storage is not a Proxmox storage id";
  return { mode, compression, storage: request.storage };
}

/**
 * An archive's volume id on `storage` (`<storage>:backup/vzdump-lxc-…`, or a PBS
 * `<storage>:backup/ct/…`): the storage prefix, no whitespace, no `..` segment, bounded length.
 * @returns the problem, or undefined when it is one.
 */
export function volidProblem(volid: string, storage: string): string | undefined {
  if (!isStorageId(storage)) return "the storage is not a Proxmox storage id";
  const name = volid.startsWith(`${storage}:`) ? volid.slice(storage.length + 1) : "";
  if (name === "" || volid.length > 512 || /\s/.test(volid) || name.split("/").includes("..")) {
    return "the archive is not a backup volume of its storage";
  }
  return undefined;
}
