import type { backupsV1 } from "@proximity/proto";
import { BACKUP_POLICY_LIMITS } from "@proximity/rules";
import { z } from "zod";
import { required } from "../request-helpers.js";
import { BACKUP_COMPRESSIONS, BACKUP_MODES, known } from "./backup.schema.js";
import { isoOrNull } from "./common.schema.js";

/** A retention rule: how many archives of its kind to keep, 0 = rule off (all 0 = keep every one). */
const keepCount = z.number().int().min(0).max(BACKUP_POLICY_LIMITS.keepMax).optional();

/**
 * PUT body: the fields to set; those left out keep their current values, so turning a policy on
 * or off never resets its schedule or retention by accident. The cron expression and the time
 * zone are checked by the backups service (400 naming the field); unknown fields are refused so
 * a misspelt retention rule is not silently ignored.
 */
export const updateBackupPolicyBody = z
  .object({
    enabled: z.boolean().optional(),
    /** Five-field cron expression (minute hour day-of-month month day-of-week), runs ≥ 15 min apart. */
    schedule: z.string().max(BACKUP_POLICY_LIMITS.scheduleMaxLength).optional(),
    /** IANA time zone the schedule and the retention periods are read in. */
    time_zone: z.string().min(1).max(BACKUP_POLICY_LIMITS.timeZoneMaxLength).optional(),
    mode: z.enum(BACKUP_MODES).optional(),
    compression: z.enum(BACKUP_COMPRESSIONS).optional(),
    keep_last: keepCount,
    keep_hourly: keepCount,
    keep_daily: keepCount,
    keep_weekly: keepCount,
    keep_monthly: keepCount,
    keep_yearly: keepCount,
  })
  .strict();

/** The policy to store: the body's fields over the current policy's. */
export function toUpdateBackupPolicyRequest(
  current: backupsV1.BackupPolicy,
  body: z.infer<typeof updateBackupPolicyBody>,
): backupsV1.UpdateBackupPolicyRequest {
  return {
    appId: current.appId,
    enabled: body.enabled ?? current.enabled,
    schedule: body.schedule ?? current.schedule,
    timeZone: body.time_zone ?? current.timeZone,
    mode: body.mode ?? current.mode,
    compression: body.compression ?? current.compression,
    keepLast: body.keep_last ?? current.keepLast,
    keepHourly: body.keep_hourly ?? current.keepHourly,
    keepDaily: body.keep_daily ?? current.keepDaily,
    keepWeekly: body.keep_weekly ?? current.keepWeekly,
    keepMonthly: body.keep_monthly ?? current.keepMonthly,
    keepYearly: body.keep_yearly ?? current.keepYearly,
  };
}

export const backupPolicyJson = z.object({
  app_id: z.string(),
  enabled: z.boolean(),
  schedule: z.string(),
  time_zone: z.string(),
  /** Mode and compression of scheduled backups. */
  mode: z.enum(BACKUP_MODES),
  compression: z.enum(BACKUP_COMPRESSIONS),
  keep_last: z.number().int(),
  keep_hourly: z.number().int(),
  keep_daily: z.number().int(),
  keep_weekly: z.number().int(),
  keep_monthly: z.number().int(),
  keep_yearly: z.number().int(),
  /** Next scheduled run; null while the policy is disabled. */
  next_run_at: z.string().nullable(),
  last_run_at: z.string().nullable(),
  updated_at: z.string().nullable(),
});

/** The policy of an answer from the backups service, which always sets it (its absence is a 500). */
export function answeredPolicyJson(
  policy: backupsV1.BackupPolicy | undefined,
): z.infer<typeof backupPolicyJson> {
  const p = required(policy, "a backup policy");
  return {
    app_id: p.appId,
    enabled: p.enabled,
    schedule: p.schedule,
    time_zone: p.timeZone,
    mode: known(BACKUP_MODES, p.mode, "an unknown backup mode"),
    compression: known(BACKUP_COMPRESSIONS, p.compression, "an unknown compression"),
    keep_last: p.keepLast,
    keep_hourly: p.keepHourly,
    keep_daily: p.keepDaily,
    keep_weekly: p.keepWeekly,
    keep_monthly: p.keepMonthly,
    keep_yearly: p.keepYearly,
    next_run_at: isoOrNull(p.nextRunAt),
    last_run_at: isoOrNull(p.lastRunAt),
    updated_at: isoOrNull(p.updatedAt),
  };
}
