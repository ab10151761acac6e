/**
 * What vzdump writes: the archive name PVE uses, its size (from what the guest holds, so it grows
 * with the data written inside) and the backup volume entry, with the CT config and a copy of the
 * guest kept for restore.
 */
import type { ConfigValue, ContainerRecord } from "./container.js";
import { copyGuest, type Guest } from "./guest.js";
import type { VolumeEntry } from "./storage.js";

interface Compressor {
  readonly extension: string;
  /** What the compressor leaves of the tar stream. */
  readonly ratio: number;
  /** The pipe stage vzdump appends to tar ("" = tar writes the file itself). */
  readonly command: string;
  /** What the compressor prints when the target storage is full, and its exit code. */
  readonly enospc: string;
  readonly enospcCode: number;
}

const TAR: Compressor = {
  extension: "tar",
  ratio: 1,
  command: "",
  enospc: "tar: -: Cannot write: No space left on device",
  enospcCode: 2,
};
const LZO: Compressor = {
  extension: "tar.lzo",
  ratio: 0.5,
  command: "lzop",
  enospc: "lzop: No space left on device: <stdout>",
  enospcCode: 1,
};

/** Per `compress` value (vzdump: 0 = plain tar, 1 = lzo). */
const COMPRESSORS: Readonly<Record<string, Compressor>> = {
  "0": TAR,
  "1": LZO,
  lzo: LZO,
  gzip: {
    extension: "tar.gz",
    ratio: 0.38,
    command: "gzip --rsyncable",
    enospc: "gzip: stdout: No space left on device",
    enospcCode: 1,
  },
  zstd: {
    extension: "tar.zst",
    ratio: 0.33,
    command: "zstd --rsyncable --threads=1",
    enospc: "zstd: error 70 : Write error : cannot write block : No space left on device",
    enospcCode: 70,
  },
};

export function isCompression(value: string): boolean {
  return value in COMPRESSORS;
}

function compressor(compress: string): Compressor {
  return COMPRESSORS[compress] ?? TAR;
}

/** `vzdump-lxc-<vmid>-YYYY_MM_DD-HH_MM_SS` (UTC here; PVE uses the node's local time). */
export function archiveBaseName(vmid: number, at: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp =
    `${at.getUTCFullYear()}_${p(at.getUTCMonth() + 1)}_${p(at.getUTCDate())}-` +
    `${p(at.getUTCHours())}_${p(at.getUTCMinutes())}_${p(at.getUTCSeconds())}`;
  return `vzdump-lxc-${vmid}-${stamp}`;
}

export function archiveName(vmid: number, at: Date, compress: string): string {
  return `${archiveBaseName(vmid, at)}.${compressor(compress).extension}`;
}

/** Replaces `{{cluster}} {{guestname}} {{node}} {{vmid}}`; unknown variables stay as written. */
export function renderNotes(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => vars[name] ?? whole);
}

const MiB = 1024 * 1024;

/**
 * Bytes tar reads from the guest: a base system, installed packages, Docker with its images, and
 * every file written inside (so each backup of a changing app has its own size).
 */
export function guestDataBytes(guest: Guest): number {
  let bytes = 310 * MiB + guest.packages.size * 2 * MiB;
  if (guest.dockerInstalled) bytes += 420 * MiB;
  for (const image of guest.images) bytes += (40 + (hash(image) % 160)) * MiB;
  for (const [path, content] of guest.files) bytes += Buffer.byteLength(content) + 512 + path.length;
  return bytes;
}

function hash(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}

/** What a backup captured: the CT config (without the snapshot `parent`) and the guest's contents. */
export interface ArchiveContents {
  readonly config: Readonly<Record<string, ConfigValue>>;
  readonly guest: Guest;
  /** Bytes tar read (the archive's size before compression). */
  readonly dataBytes: number;
}

/** A consistent copy of `ct` as tar would read it now. */
export function captureArchive(ct: ContainerRecord): ArchiveContents {
  const { parent: _parent, ...config } = ct.config;
  const guest = copyGuest(ct.guest, ct.vmid);
  return { config, guest, dataBytes: guestDataBytes(guest) };
}

export interface BackupSpec {
  readonly storage: string;
  readonly compress: string;
  readonly at: Date;
  readonly notes?: string;
  readonly protected: boolean;
}

/** The backup volume holding `contents` of CT `vmid`. */
export function backupVolume(vmid: number, contents: ArchiveContents, spec: BackupSpec): VolumeEntry {
  const c = compressor(spec.compress);
  return {
    volid: `${spec.storage}:backup/${archiveName(vmid, spec.at, spec.compress)}`,
    content: "backup",
    format: c.extension,
    size: Math.max(1, Math.floor(contents.dataBytes * c.ratio)),
    ctime: Math.floor(spec.at.getTime() / 1000),
    vmid,
    subtype: "lxc",
    ...(spec.notes !== undefined ? { notes: spec.notes.split("\n")[0]! } : {}),
    ...(spec.protected ? { protected: 1 as const } : {}),
    archive: contents,
  };
}

/** The command vzdump runs to write the archive (shortened tar options), as its errors quote it. */
export function archiveCommand(vmid: number, dumpPath: string, compress: string): string {
  const c = compressor(compress);
  const tar =
    `lxc-usernsexec -m u:0:100000:65536 -m g:0:100000:65536 -- tar cpf - --totals --one-file-system ` +
    `-p --sparse --numeric-owner --acls --xattrs '--directory=/var/tmp/vzdumptmp_${vmid}' ` +
    `./etc/vzdump/pct.conf '--directory=/mnt/vzsnap0' ./`;
  const pipe = c.command === "" ? tar.replace("tar cpf -", `tar cpf '${dumpPath}'`) : `${tar} | ${c.command}`;
  return `set -o pipefail && ${pipe}${c.command === "" ? "" : ` >${dumpPath}`}`;
}

/** The compressor's ENOSPC message and the exit code the pipe fails with. */
export function storageFullError(compress: string): { readonly message: string; readonly code: number } {
  const c = compressor(compress);
  return { message: c.enospc, code: c.enospcCode };
}
