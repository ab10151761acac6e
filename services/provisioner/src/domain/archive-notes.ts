/**
 * How an archive is tied to its backup record: vzdump writes `notes-template` into the archive's
 * notes, so the archive a backup made is found by the backup id in them, also by a retry that never
 * learnt the volume id (vzdump does not return it). The same notes tell Proximity's archives from
 * everyone else's on a shared storage.
 */

const NOTES_PREFIX = "Proximity backup ";

/** The notes vzdump gives the archive of backup `backupId`. */
export function backupNotes(backupId: string): string {
  return `${NOTES_PREFIX}${backupId}`;
}

/**
 * The backup id an archive's notes name when Proximity made it ("Proximity backup <id>" on a line
 * of its own start: an admin may add lines to the notes), else undefined (someone else's archive).
 */
export function backupIdOfNotes(notes: string | undefined): string | undefined {
  for (const line of (notes ?? "").split("\n")) {
    const text = line.trim();
    if (!text.startsWith(NOTES_PREFIX)) continue;
    const id = text.slice(NOTES_PREFIX.length).split(/\s/)[0];
    if (id) return id;
  }
  return undefined;
}

/** An archive as a storage lists it (the fields this rule reads). */
export interface ListedArchive {
  readonly volid: string;
  readonly notes?: string;
  readonly ctime?: number;
  readonly size?: number;
}

/** Whether Proximity made the archive (its notes name a backup). */
export function isProximityArchive(archive: ListedArchive): boolean {
  return backupIdOfNotes(archive.notes) !== undefined;
}

/** The archive of backup `backupId` among `archives`; the newest when a crash made two. */
export function archiveOfBackup<T extends ListedArchive>(
  archives: readonly T[],
  backupId: string,
): T | undefined {
  if (backupId === "") return undefined;
  return archives
    .filter((a) => backupIdOfNotes(a.notes) === backupId)
    .sort((x, y) => (y.ctime ?? 0) - (x.ctime ?? 0))[0];
}
