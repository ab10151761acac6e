/** How an app is backed up. */
export interface BackupPolicy {
  readonly appId: string;
  readonly enabled: boolean;
  /** Cron expression (minute hour day month weekday). */
  readonly schedule: string;
  /** Backups kept by retention. */
  readonly keepLast: number;
  readonly updatedAt: Date;
}

/**
 * The policy every newly deployed app starts with: off until its owner turns it on, then
 * nightly at 03:00 keeping a week of backups.
 */
export const DEFAULT_BACKUP_POLICY = { enabled: false, schedule: "0 3 * * *", keepLast: 7 } as const;
