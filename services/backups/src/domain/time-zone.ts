import { ValidationError } from "@proximity/errors";

/** Wall-clock calendar fields of an instant in some time zone (month 1-12). */
export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for a zone the runtime's ICU data does not know.
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for an IANA zone name (e.g. "Europe/Berlin", "UTC") the runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** What a bad time zone is told (every check of one says the same). */
export const TIME_ZONE_MESSAGE = "must be a time zone name such as Europe/Berlin or UTC";

/** Throws a ValidationError on `field` unless `timeZone` is a known IANA zone. */
export function assertTimeZone(timeZone: string, field = "time_zone"): void {
  if (!isValidTimeZone(timeZone)) {
    throw new ValidationError("Invalid time zone", [{ field, message: TIME_ZONE_MESSAGE }]);
  }
}

/** The wall-clock time of `date` in `timeZone` (what Perl's localtime gives on a node set to that zone). */
export function localTime(date: Date, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(date)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
  };
}

/**
 * ISO 8601 week of a calendar date: weeks start on Monday and week 1 holds the year's first
 * Thursday, so 31 Dec can be week 1 of the next year and 1 Jan week 52/53 of the previous one
 * (strftime's %G/%V, which Proxmox uses).
 */
export function isoWeek(year: number, month: number, day: number): { weekYear: number; week: number } {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7; // Monday 1 … Sunday 7
  const thursday = new Date(date.getTime() + (4 - weekday) * 86_400_000);
  const weekYear = thursday.getUTCFullYear();
  const dayOfYear = Math.floor((thursday.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000);
  return { weekYear, week: Math.floor(dayOfYear / 7) + 1 };
}
