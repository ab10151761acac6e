import type { BackupMode, BackupPolicy, BodyOf, Compression } from "../../api/types";

type PolicyBody = BodyOf<"/api/apps/{id}/backup-policy", "put">;

/** Retention rules, in the order Proxmox applies them. */
export const KEEP_FIELDS = [
  { name: "keep_last", label: "Keep last", hint: "The newest backups, however old" },
  { name: "keep_hourly", label: "Keep hourly", hint: "One per hour, for this many hours" },
  { name: "keep_daily", label: "Keep daily", hint: "One per day, for this many days" },
  { name: "keep_weekly", label: "Keep weekly", hint: "One per week, for this many weeks" },
  { name: "keep_monthly", label: "Keep monthly", hint: "One per month, for this many months" },
  { name: "keep_yearly", label: "Keep yearly", hint: "One per year, for this many years" },
] as const;
export type KeepField = (typeof KEEP_FIELDS)[number]["name"];

/** The form's values: numbers stay text until checked, so "" or "1.5" can be refused at the field. */
export interface PolicyDraft extends Record<KeepField, string> {
  readonly enabled: boolean;
  readonly schedule: string;
  readonly time_zone: string;
  readonly mode: BackupMode;
  readonly compression: Compression;
}

export type PolicyField = keyof PolicyDraft;
export type PolicyErrors = Partial<Record<PolicyField, string>>;

const KEEP_MAX = 10_000;
const SCHEDULE_MAX = 200;
const TIME_ZONE_MAX = 100;
const CRON_FIELD = /^[0-9A-Za-z*,/-]+$/;

export function draftOf(policy: BackupPolicy): PolicyDraft {
  return {
    enabled: policy.enabled,
    schedule: policy.schedule,
    time_zone: policy.time_zone,
    mode: policy.mode,
    compression: policy.compression,
    keep_last: String(policy.keep_last),
    keep_hourly: String(policy.keep_hourly),
    keep_daily: String(policy.keep_daily),
    keep_weekly: String(policy.keep_weekly),
    keep_monthly: String(policy.keep_monthly),
    keep_yearly: String(policy.keep_yearly),
  };
}

function scheduleProblem(schedule: string): string | undefined {
  const text = schedule.trim();
  if (text === "") return "Enter a schedule, e.g. 0 3 * * * for every day at 03:00.";
  if (text.length > SCHEDULE_MAX) return `Use at most ${SCHEDULE_MAX} characters.`;
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    return "Use five fields separated by spaces: minute, hour, day of month, month, day of week.";
  }
  if (!fields.every((field) => CRON_FIELD.test(field))) {
    return "Each field may only hold digits, names (e.g. MON), and * , / -";
  }
  return undefined;
}

function keepProblem(value: string): string | undefined {
  const text = value.trim();
  if (!/^\d+$/.test(text)) return `Enter a whole number from 0 to ${KEEP_MAX}.`;
  if (Number(text) > KEEP_MAX) return `Use at most ${KEEP_MAX}.`;
  return undefined;
}

/**
 * What the gateway would refuse, said at each field before sending. The backups service still
 * judges the cron expression and the time zone (its 400 names the field).
 */
export function validatePolicy(draft: PolicyDraft): PolicyErrors {
  const errors: PolicyErrors = {};
  const schedule = scheduleProblem(draft.schedule);
  if (schedule) errors.schedule = schedule;
  const zone = draft.time_zone.trim();
  if (zone === "") errors.time_zone = "Enter a time zone, e.g. UTC or Europe/Berlin.";
  else if (zone.length > TIME_ZONE_MAX) errors.time_zone = `Use at most ${TIME_ZONE_MAX} characters.`;
  for (const { name } of KEEP_FIELDS) {
    const problem = keepProblem(draft[name]);
    if (problem) errors[name] = problem;
  }
  return errors;
}

/** The PUT body of a valid draft (every field sent: the form shows them all). */
export function bodyOf(draft: PolicyDraft): PolicyBody {
  return {
    enabled: draft.enabled,
    schedule: draft.schedule.trim().split(/\s+/).join(" "),
    time_zone: draft.time_zone.trim(),
    mode: draft.mode,
    compression: draft.compression,
    keep_last: Number(draft.keep_last.trim()),
    keep_hourly: Number(draft.keep_hourly.trim()),
    keep_daily: Number(draft.keep_daily.trim()),
    keep_weekly: Number(draft.keep_weekly.trim()),
    keep_monthly: Number(draft.keep_monthly.trim()),
    keep_yearly: Number(draft.keep_yearly.trim()),
  };
}
