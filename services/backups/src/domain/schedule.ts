import { ValidationError } from "@proximity/errors";
import { CronExpressionParser } from "cron-parser";
import { assertTimeZone } from "./time-zone.js";

/**
 * Backup schedules are classic 5-field cron expressions (minute hour day-of-month month
 * day-of-week) with lists, ranges, steps and jan…dec / sun…sat names; day-of-week 0 and 7 are
 * Sunday, and when both day fields are restricted either one matching is enough (Vixie cron).
 * Nothing else: no seconds field, no @macros, no L/W/#/?/H extensions, so an expression means
 * the same here as in any crontab. We validate the grammar ourselves (to name the bad field)
 * and let cron-parser do the calendar and time-zone arithmetic behind `nextRun`.
 */

/** Runs closer together than this would hammer the Proxmox host's disks and the backup storage. */
export const MIN_INTERVAL_MINUTES = 15;

const MAX_LENGTH = 200;

declare const parsed: unique symbol;

/** A validated schedule; only `parseSchedule` makes one. */
export interface Schedule {
  /** The expression, trimmed and with single spaces. */
  readonly expression: string;
  readonly [parsed]: true;
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  },
  { name: "day of week", min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

const invalid = (message: string) =>
  new ValidationError("Invalid schedule", [{ field: "schedule", message }]);

/** Parses and validates a cron expression; throws a ValidationError on field "schedule". */
export function parseSchedule(expression: string): Schedule {
  if (expression.length > MAX_LENGTH) throw invalid(`must be at most ${MAX_LENGTH} characters`);
  const parts = expression.trim().split(/\s+/).filter(Boolean);
  if (parts.length !== FIELDS.length) {
    throw invalid(
      `must have 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}` +
        (parts.length === 6 ? ": a seconds field is not supported" : ""),
    );
  }
  const values = parts.map((part, i) => expandField(part, FIELDS[i] as FieldSpec));
  const [minutes, hours] = values as [number[], number[]];
  const gap = shortestGapMinutes(minutes, hours);
  if (gap < MIN_INTERVAL_MINUTES) {
    throw invalid(
      `runs every ${gap} minute(s); backups may run at most every ${MIN_INTERVAL_MINUTES} minutes`,
    );
  }
  const normalized = parts.join(" ");
  try {
    CronExpressionParser.parse(normalized, { currentDate: new Date(0), tz: "UTC" }).next();
  } catch {
    // e.g. "0 0 30 2 *": each field is fine, but the date never exists.
    throw invalid("never runs: no such date exists");
  }
  return { expression: normalized } as Schedule;
}

/** The first run strictly after `after`, on the wall clock of `timeZone` (IANA, default UTC). */
export function nextRun(schedule: Schedule, after: Date, timeZone = "UTC"): Date {
  assertTimeZone(timeZone);
  return CronExpressionParser.parse(schedule.expression, { currentDate: after, tz: timeZone })
    .next()
    .toDate();
}

/** The values one field allows, or a ValidationError naming the field. */
function expandField(text: string, spec: FieldSpec): number[] {
  const values = new Set<number>();
  for (const item of text.toLowerCase().split(",")) {
    const match = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!match) throw invalid(`${spec.name}: "${item}" is not a value, range, list or step`);
    const [, range = "", stepText] = match;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) throw invalid(`${spec.name}: the step must be at least 1`);
    let from = spec.min;
    let to = spec.max;
    if (range !== "*") {
      const [start = "", end] = range.split("-");
      from = fieldValue(start, spec);
      // "5/15" means from 5 to the end of the field, as in most crons.
      to = end !== undefined ? fieldValue(end, spec) : stepText !== undefined ? spec.max : from;
      if (from > to) throw invalid(`${spec.name}: range ${range} goes backwards`);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function fieldValue(token: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(token) ?? -1;
  if (named >= 0) return named + (spec.name === "month" ? 1 : 0);
  if (!/^\d+$/.test(token)) throw invalid(`${spec.name}: "${token}" is not a number or a known name`);
  const value = Number(token);
  if (value < spec.min || value > spec.max) {
    throw invalid(`${spec.name}: ${value} is out of range ${spec.min}-${spec.max}`);
  }
  return value;
}

/**
 * The shortest wall-clock gap between two runs: between run times within a day, and from a
 * day's last run to the next day's first (the day fields can only make gaps longer).
 */
function shortestGapMinutes(minutes: readonly number[], hours: readonly number[]): number {
  const times = hours.flatMap((h) => minutes.map((m) => h * 60 + m)); // ascending
  let gap = 24 * 60 - (times.at(-1) ?? 0) + (times[0] ?? 0);
  for (let i = 1; i < times.length; i++) gap = Math.min(gap, (times[i] as number) - (times[i - 1] as number));
  return gap;
}
