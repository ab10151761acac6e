/**
 * Bounds of an app's backup policy, the same wherever a policy is checked. Proxmox takes any
 * retention count: the bound only catches a typo (the backups service's table holds it too, as a
 * check constraint).
 */
export const BACKUP_POLICY_LIMITS = {
  /** The most archives any one retention rule (`keep_last`, `keep_daily`, …) may keep; 0 = rule off. */
  keepMax: 10_000,
  /** Characters of the cron expression. */
  scheduleMaxLength: 200,
  /** Characters of the IANA time zone name. */
  timeZoneMaxLength: 100,
} as const;
