import { ValidationError } from "@proximity/errors";
import { CronExpressionParser, type CronFieldCollection } from "cron-parser";
import { assertTimeZone, localTime } from "./time-zone.js";

/**
 * Backup schedules are classic 5-field cron expressions (minute hour day-of-month month
 * day-of-week) with lists, ranges, steps and jan…dec / sun…sat names; day-of-week 0 and 7 are
 * Sunday, and when both day fields are restricted either one matching is enough (Vixie cron).
 * Nothing else: no seconds field, no @macros, no L/W/#/?/H extensions, so an expression means
 * the same here as in any crontab. We validate the grammar ourselves (to name the bad field)
 * and let cron-parser do the calendar and time-zone arithmetic behind `nextRun`, with a search of
 * our own where cron-parser gives up.
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

/**
 * How far our own search looks: the longest wait between two runs of any schedule we accept is
 * 29 February across a century year that is not a leap year (2096 → 2104).
 */
export const SEARCH_DAYS = 8 * 366 + 2;

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * The first run strictly after `after`, on the wall clock of `timeZone` (IANA, default UTC). A
 * wall-clock time the clock skips runs as much later as the clock jumped (02:30 → 03:30); one it
 * repeats runs once, at its first occurrence. Throws a ValidationError on field "schedule" when
 * no run can be worked out.
 */
export function nextRun(schedule: Schedule, after: Date, timeZone = "UTC"): Date {
  assertTimeZone(timeZone);
  const next =
    cronParserNext(schedule, after, timeZone) ??
    // cron-parser 5 gives up ("loop limit exceeded") on some valid schedules near a clock change,
    // e.g. "15 3 * * 0" in Australia/Lord_Howe (30-minute DST) from 30 March to 6 April 2025.
    searchNextRun(schedule, after, timeZone);
  if (next) return next;
  throw invalid(
    `its next run cannot be worked out in time zone ${timeZone}; choose another time or time zone`,
  );
}

function cronParserNext(schedule: Schedule, after: Date, timeZone: string): Date | undefined {
  try {
    return CronExpressionParser.parse(schedule.expression, { currentDate: after, tz: timeZone })
      .next()
      .toDate();
  } catch {
    return undefined;
  }
}

/**
 * The first run strictly after `after` within `days` days, found by walking the calendar of
 * `timeZone` day by day with cron-parser's reading of the fields and its handling of clock
 * changes (see `nextRun`). `nextRun`'s fallback; exported so tests can hold it to cron-parser's
 * answers wherever cron-parser has one.
 */
export function searchNextRun(
  schedule: Schedule,
  after: Date,
  timeZone: string,
  days = SEARCH_DAYS,
): Date | undefined {
  const { fields } = CronExpressionParser.parse(schedule.expression);
  const start = localTime(after, timeZone);
  // From the day before `after`'s local date: a skipped time late that day can land after it.
  const firstDay = Date.UTC(start.year, start.month - 1, start.day) - DAY_MS;
  let best: number | undefined;
  let bestDay = Number.POSITIVE_INFINITY;
  // One day past the first with a run: a skipped time late on a day can land after the next day's first run.
  for (let i = 0; i <= days + 2 && i <= bestDay + 1; i++) {
    const day = firstDay + i * DAY_MS;
    if (!runsOn(fields, new Date(day))) continue;
    for (const hour of numbers(fields.hour.values)) {
      for (const minute of numbers(fields.minute.values)) {
        const at = instantOf(day + (hour * 60 + minute) * MINUTE_MS, timeZone);
        if (at > after.getTime() && (best === undefined || at < best)) {
          best = at;
          bestDay = Math.min(bestDay, i);
        }
      }
    }
  }
  return best === undefined ? undefined : new Date(best);
}

/** cron-parser's day rule (no L or #, which we refuse): both day fields restricted → either. */
function runsOn(fields: CronFieldCollection, date: Date): boolean {
  if (!numbers(fields.month.values).includes(date.getUTCMonth() + 1)) return false;
  const weekdays = numbers(fields.dayOfWeek.values);
  const weekday = date.getUTCDay();
  const onWeekday = weekdays.includes(weekday) || (weekday === 0 && weekdays.includes(7));
  const onDate = numbers(fields.dayOfMonth.values).includes(date.getUTCDate());
  if (fields.dayOfWeek.isWildcard) return onDate;
  if (fields.dayOfMonth.isWildcard) return onWeekday;
  return onDate || onWeekday;
}

const numbers = (values: readonly (number | string)[]) =>
  values.filter((v): v is number => typeof v === "number");

/**
 * The instant a wall-clock time (given as if it were UTC) names in `timeZone`: a repeated time its
 * first occurrence; a skipped one read with the offset from before the jump, so as much later as
 * the clock jumped.
 */
function instantOf(wall: number, timeZone: string): number {
  const offsetBefore = offsetAt(wall - DAY_MS, timeZone);
  const offsetAfter = offsetAt(wall + DAY_MS, timeZone);
  const readings = [wall - offsetBefore, wall - offsetAfter].filter((t) => wallClockAt(t, timeZone) === wall);
  return readings.length > 0 ? Math.min(...readings) : wall - offsetBefore;
}

/** The wall-clock time at instant `t` in `timeZone`, as if it were UTC, to the minute. */
function wallClockAt(t: number, timeZone: string): number {
  if (Number.isNaN(new Date(t).getTime())) return Number.NaN; // past the end of the calendar
  const l = localTime(new Date(t), timeZone);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute);
}

function offsetAt(t: number, timeZone: string): number {
  return wallClockAt(t, timeZone) - Math.floor(t / MINUTE_MS) * MINUTE_MS;
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
