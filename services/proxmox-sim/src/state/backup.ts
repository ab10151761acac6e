/**
 * What vzdump writes: the archive name PVE uses and the backup volume entry, with notes rendered
 * from the notes template and the CT config kept for restore.
 */
import type { ContainerRecord } from "./container.js";
import type { VolumeEntry } from "./storage.js";

/** Archive extension per `compress` value (vzdump: 0 = plain tar, 1 = lzo). */
const EXTENSION: Readonly<Record<string, string>> = {
  "0": "tar",
  "1": "tar.lzo",
  lzo: "tar.lzo",
  gzip: "tar.gz",
  zstd: "tar.zst",
};

export function isCompression(value: string): boolean {
  return value in EXTENSION;
}

/** `vzdump-lxc-<vmid>-YYYY_MM_DD-HH_MM_SS.<ext>` (UTC here; PVE uses the node's local time). */
export function archiveName(vmid: number, at: Date, compress: string): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp =
    `${at.getUTCFullYear()}_${p(at.getUTCMonth() + 1)}_${p(at.getUTCDate())}-` +
    `${p(at.getUTCHours())}_${p(at.getUTCMinutes())}_${p(at.getUTCSeconds())}`;
  return `vzdump-lxc-${vmid}-${stamp}.${EXTENSION[compress] ?? "tar"}`;
}

/** Replaces `{{cluster}} {{guestname}} {{node}} {{vmid}}`; unknown variables stay as written. */
export function renderNotes(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => vars[name] ?? whole);
}

export interface BackupSpec {
  readonly storage: string;
  readonly compress: string;
  readonly at: Date;
  readonly notes?: string;
  readonly protected: boolean;
  /** Bytes the root disk uses now; the archive is a bit smaller. */
  readonly diskBytes: number;
}

/** The backup volume for `ct`. */
export function backupVolume(ct: ContainerRecord, spec: BackupSpec): VolumeEntry {
  const name = archiveName(ct.vmid, spec.at, spec.compress);
  const { parent: _parent, ...config } = ct.config;
  return {
    volid: `${spec.storage}:backup/${name}`,
    content: "backup",
    format: EXTENSION[spec.compress] ?? "tar",
    size: Math.max(1, Math.floor(spec.diskBytes * (spec.compress === "0" ? 0.9 : 0.4))),
    ctime: Math.floor(spec.at.getTime() / 1000),
    vmid: ct.vmid,
    subtype: "lxc",
    ...(spec.notes !== undefined ? { notes: spec.notes.split("\n")[0]! } : {}),
    ...(spec.protected ? { protected: 1 as const } : {}),
    backupConfig: { ...config },
  };
}
