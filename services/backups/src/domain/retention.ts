import { type FieldError, ValidationError } from "@proximity/errors";
import { assertTimeZone, isoWeek, type LocalTime, localTime } from "./time-zone.js";

/**
 * Retention with Proxmox VE's own prune-backups semantics, so a policy means here exactly what
 * it means in `vzdump --prune-backups` (PVE::Storage::prune_mark_backup_group; Proxmox Backup
 * Server's prune does the same).
 *
 * Backups are walked newest first, once per rule, in the order keep-last, keep-hourly,
 * keep-daily, keep-weekly, keep-monthly, keep-yearly. A rule with count N:
 *  - ignores every period (hour, day, ISO week, …) that already holds a backup kept by an
 *    earlier rule, so each rule only reaches further back in time;
 *  - keeps the newest backup of each new period until N periods are taken, then stops;
 *  - marks the older backups of a period it has just taken as removed, and that mark is final:
 *    later rules skip them (which is why a weekly keep can hide a December backup from
 *    keep-monthly when the ISO week straddles the new year).
 * Whatever no rule kept is pruned. Periods count only when they hold backups: keep-daily 7
 * keeps the newest backup of the 7 most recent days that have one, not of the last 7 calendar
 * days. Periods are wall-clock periods in one IANA time zone (Proxmox uses the node's local
 * time). With every count at zero nothing is pruned (Proxmox's keep-all).
 */

export interface RetentionPolicy {
  readonly keepLast: number;
  readonly keepHourly?: number;
  readonly keepDaily: number;
  readonly keepWeekly: number;
  readonly keepMonthly: number;
  readonly keepYearly?: number;
}

export interface BackupRecord {
  readonly id: string;
  readonly createdAt: Date;
  /** A protected backup is never pruned and, as in Proxmox, does not fill any rule's period. */
  readonly protected?: boolean;
}

export type KeepRule =
  | "keep-last"
  | "keep-hourly"
  | "keep-daily"
  | "keep-weekly"
  | "keep-monthly"
  | "keep-yearly";
export type KeepReason = KeepRule | "keep-all" | "protected";

export interface PruneSelection {
  /** Kept backups, newest first, each with the rule that kept it. */
  readonly keep: readonly { readonly id: string; readonly reason: KeepReason }[];
  /** Backups to delete, newest first. */
  readonly prune: readonly string[];
}

type Period = (backup: Entry) => string;

interface Entry {
  readonly id: string;
  readonly time: number;
  readonly local: LocalTime;
  readonly protected: boolean;
}

// keep-last's "period" is the instant itself: two backups with the very same timestamp count
// as one, exactly as Proxmox's ctime-keyed keep-last does.
const RULES: readonly { rule: KeepRule; count: (p: RetentionPolicy) => number; period: Period }[] = [
  { rule: "keep-last", count: (p) => p.keepLast, period: (b) => String(b.time) },
  {
    rule: "keep-hourly",
    count: (p) => p.keepHourly ?? 0,
    period: ({ local: l }) => `${l.year}-${l.month}-${l.day}T${l.hour}`,
  },
  {
    rule: "keep-daily",
    count: (p) => p.keepDaily,
    period: ({ local: l }) => `${l.year}-${l.month}-${l.day}`,
  },
  {
    rule: "keep-weekly",
    count: (p) => p.keepWeekly,
    period: ({ local: l }) => {
      const { weekYear, week } = isoWeek(l.year, l.month, l.day);
      return `${weekYear}-W${week}`;
    },
  },
  { rule: "keep-monthly", count: (p) => p.keepMonthly, period: ({ local: l }) => `${l.year}-${l.month}` },
  { rule: "keep-yearly", count: (p) => p.keepYearly ?? 0, period: ({ local: l }) => `${l.year}` },
];

/** Each keep rule: its field here and its name on the wire. */
export const KEEP_FIELDS = [
  ["keepLast", "keep_last"],
  ["keepHourly", "keep_hourly"],
  ["keepDaily", "keep_daily"],
  ["keepWeekly", "keep_weekly"],
  ["keepMonthly", "keep_monthly"],
  ["keepYearly", "keep_yearly"],
] as const;

/** Field problems of a retention policy: every count must be a whole number ≥ 0 (0 = rule off). */
export function retentionProblems(policy: RetentionPolicy): FieldError[] {
  const problems: FieldError[] = [];
  for (const [key, field] of KEEP_FIELDS) {
    const value = policy[key];
    if (value === undefined && (key === "keepHourly" || key === "keepYearly")) continue;
    if (!Number.isSafeInteger(value) || (value as number) < 0) {
      problems.push({ field, message: "must be a whole number, 0 or more" });
    }
  }
  return problems;
}

/** Splits one app's backups into those the policy keeps and those to delete. */
export function selectBackupsToPrune(
  backups: readonly BackupRecord[],
  policy: RetentionPolicy,
  timeZone = "UTC",
): PruneSelection {
  const problems = retentionProblems(policy);
  if (problems.length > 0) throw new ValidationError("Invalid retention policy", problems);
  assertTimeZone(timeZone);
  const entries = toEntries(backups, timeZone);

  const marks = new Map<string, KeepReason | "remove">();
  for (const e of entries) if (e.protected) marks.set(e.id, "protected");

  if (RULES.every((r) => r.count(policy) === 0)) {
    for (const e of entries) if (!marks.has(e.id)) marks.set(e.id, "keep-all");
  } else {
    for (const r of RULES) markRule(entries, marks, r.rule, r.count(policy), r.period);
  }

  const keep: { id: string; reason: KeepReason }[] = [];
  const prune: string[] = [];
  for (const e of entries) {
    const mark = marks.get(e.id) ?? "remove";
    if (mark === "remove") prune.push(e.id);
    else keep.push({ id: e.id, reason: mark });
  }
  return { keep, prune };
}

/** One rule of prune_mark_backup_group, over entries sorted newest first. */
function markRule(
  entries: readonly Entry[],
  marks: Map<string, KeepReason | "remove">,
  rule: KeepRule,
  count: number,
  period: Period,
): void {
  if (count === 0) return;
  const alreadyIncluded = new Set<string>();
  for (const e of entries) {
    const mark = marks.get(e.id);
    if (mark !== undefined && mark !== "remove" && mark !== "protected") alreadyIncluded.add(period(e));
  }
  const newlyIncluded = new Set<string>();
  for (const e of entries) {
    const key = period(e);
    if (marks.has(e.id) || alreadyIncluded.has(key)) continue;
    if (!newlyIncluded.has(key)) {
      if (newlyIncluded.size >= count) break;
      newlyIncluded.add(key);
      marks.set(e.id, rule);
    } else {
      marks.set(e.id, "remove");
    }
  }
}

/**
 * Validated entries, newest first. Equal timestamps are ordered by id so the result never
 * depends on the order the storage listed the backups in.
 */
function toEntries(backups: readonly BackupRecord[], timeZone: string): Entry[] {
  const seen = new Set<string>();
  const entries = backups.map((b) => {
    const time = b.createdAt.getTime();
    if (!b.id || seen.has(b.id) || Number.isNaN(time)) {
      throw new ValidationError("Invalid backup list", [
        { field: "backups", message: "every backup needs a unique id and a valid creation time" },
      ]);
    }
    seen.add(b.id);
    return { id: b.id, time, local: localTime(b.createdAt, timeZone), protected: b.protected === true };
  });
  return entries.sort((a, b) => b.time - a.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
