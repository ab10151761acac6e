import { type FieldError, ValidationError } from "@proximity/errors";
import {
  type BackupMode,
  type Compression,
  DEFAULT_COMPRESSION,
  DEFAULT_MODE,
  modeAndCompressionProblems,
} from "./backup.js";
import { KEEP_FIELDS, type RetentionPolicy } from "./retention.js";
import { nextRun, parseSchedule, type Schedule } from "./schedule.js";
import { isValidTimeZone, TIME_ZONE_MESSAGE } from "./time-zone.js";

/** How an app is backed up on a schedule, and how many of those backups are kept. */
export interface BackupPolicy {
  readonly appId: string;
  readonly enabled: boolean;
  /** Cron expression (minute hour day month weekday). */
  readonly schedule: string;
  /** IANA zone the schedule and the retention periods are read in. */
  readonly timeZone: string;
  readonly mode: BackupMode;
  readonly compression: Compression;
  readonly keepLast: number;
  readonly keepHourly: number;
  readonly keepDaily: number;
  readonly keepWeekly: number;
  readonly keepMonthly: number;
  readonly keepYearly: number;
  readonly nextRunAt: Date | null;
  readonly lastRunAt: Date | null;
  readonly updatedAt: Date;
}

/**
 * The policy every new app starts with: off until its owner turns it on, then nightly at 03:00
 * UTC keeping a week of backups.
 */
export const DEFAULT_BACKUP_POLICY = {
  enabled: false,
  schedule: "0 3 * * *",
  timeZone: "UTC",
  mode: DEFAULT_MODE,
  compression: DEFAULT_COMPRESSION,
  keepLast: 7,
  keepHourly: 0,
  keepDaily: 0,
  keepWeekly: 0,
  keepMonthly: 0,
  keepYearly: 0,
} as const;

/** The most any keep rule may ask for (Proxmox takes any number; this bounds a typo). */
export const MAX_KEEP = 10_000;

export interface PolicyInput {
  readonly enabled: boolean;
  readonly schedule: string;
  /** "" = UTC. */
  readonly timeZone: string;
  /** "" = snapshot. */
  readonly mode: string;
  /** "" = zstd. */
  readonly compression: string;
  readonly keepLast: number;
  readonly keepHourly: number;
  readonly keepDaily: number;
  readonly keepWeekly: number;
  readonly keepMonthly: number;
  readonly keepYearly: number;
}

/** A validated policy, ready to store. */
export interface PolicySettings extends RetentionPolicy {
  readonly enabled: boolean;
  readonly schedule: Schedule;
  readonly timeZone: string;
  readonly mode: BackupMode;
  readonly compression: Compression;
  readonly keepHourly: number;
  readonly keepYearly: number;
}

/** Validates a whole policy (PUT semantics); a ValidationError names every bad field at once. */
export function parsePolicyInput(input: PolicyInput): PolicySettings {
  const problems: FieldError[] = [];
  let schedule: Schedule | undefined;
  try {
    schedule = parseSchedule(input.schedule);
  } catch (err) {
    problems.push(
      ...((err as ValidationError).fieldErrors ?? [{ field: "schedule", message: "is invalid" }]),
    );
  }
  const timeZone = input.timeZone || "UTC";
  if (!isValidTimeZone(timeZone)) {
    problems.push({ field: "time_zone", message: TIME_ZONE_MESSAGE });
  }
  problems.push(...modeAndCompressionProblems(input.mode, input.compression));
  for (const [key, field] of KEEP_FIELDS) {
    const value = input[key];
    if (!Number.isSafeInteger(value) || value < 0 || value > MAX_KEEP) {
      problems.push({ field, message: `must be a whole number from 0 to ${MAX_KEEP}` });
    }
  }
  if (problems.length > 0 || !schedule) throw new ValidationError("Invalid backup policy", problems);
  return {
    enabled: input.enabled,
    schedule,
    timeZone,
    mode: (input.mode || DEFAULT_MODE) as BackupMode,
    compression: (input.compression || DEFAULT_COMPRESSION) as Compression,
    keepLast: input.keepLast,
    keepHourly: input.keepHourly,
    keepDaily: input.keepDaily,
    keepWeekly: input.keepWeekly,
    keepMonthly: input.keepMonthly,
    keepYearly: input.keepYearly,
  };
}

/** When an enabled policy runs next after `now`; null when disabled. */
export function nextRunOf(settings: Pick<PolicySettings, "enabled" | "schedule" | "timeZone">, now: Date) {
  return settings.enabled ? nextRun(settings.schedule, now, settings.timeZone) : null;
}
