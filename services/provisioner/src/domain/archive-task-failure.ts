/**
 * Why a vzdump, restore or volume-delete task (or the call starting it) failed, read from what
 * Proxmox wrote: its exit status, the tail of its log, or the API's error text. Proxmox's words are
 * only matched here, never shown; the provisioner turns the kind into a sentence of its own.
 */

export type ArchiveFailureKind =
  /** The backup storage ran out of space (ENOSPC while writing the archive). */
  | "storage-full"
  /** The storage does not exist on the node or cannot hold backups. */
  | "storage-unusable"
  /** The archive to restore is not on its storage. */
  | "archive-missing"
  /** The archive is protected and cannot be removed. */
  | "archive-protected"
  /** The container is protected and cannot be overwritten. */
  | "container-protected"
  /** The container is locked by another Proxmox operation (worth waiting for). */
  | "locked"
  | "unknown";

const RULES: readonly [RegExp, ArchiveFailureKind][] = [
  [/no space left on device|ENOSPC|disk quota exceeded|not enough space/i, "storage-full"],
  [
    /could not get storage information|can't use storage|wrong content type|storage '[^']*' does not exist/i,
    "storage-unusable",
  ],
  [/protection mode enabled/i, "container-protected"],
  [/protected volume|volume is protected/i, "archive-protected"],
  [
    /can't find file|unable to (?:find|open) (?:archive|file)|volume '[^']*' does not exist/i,
    "archive-missing",
  ],
  [/is locked|can't lock/i, "locked"],
];

/** The first rule any of the texts matches (exit status first, then the log from its end). */
export function classifyArchiveFailure(texts: readonly string[]): ArchiveFailureKind {
  for (const [re, kind] of RULES) if (texts.some((t) => re.test(t))) return kind;
  return "unknown";
}
