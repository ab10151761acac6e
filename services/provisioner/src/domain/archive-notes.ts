/**
 * How an archive is tied to its backup record: vzdump writes `notes-template` into the archive's
 * notes, so the archive a backup made is found by the backup id in them, also by a retry that never
 * learnt the volume id (vzdump does not return it).
 */

/** The notes vzdump gives the archive of backup `backupId`. */
export function backupNotes(backupId: string): string {
  return `Proximity backup ${backupId}`;
}

/** An archive as a storage lists it (the fields this rule reads). */
export interface ListedArchive {
  readonly volid: string;
  readonly notes?: string;
  readonly ctime?: number;
  readonly size?: number;
}

/**
 * The archive of backup `backupId` among `archives` (its id is a word of the notes); the newest
 * when a crash made two.
 */
export function archiveOfBackup<T extends ListedArchive>(
  archives: readonly T[],
  backupId: string,
): T | undefined {
  if (backupId === "") return undefined;
  return archives
    .filter((a) => (a.notes ?? "").split(/\s+/).includes(backupId))
    .sort((x, y) => (y.ctime ?? 0) - (x.ctime ?? 0))[0];
}
