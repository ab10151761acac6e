/**
 * A fast parser for `timestamptz` columns. pg parses them with postgres-date, a regular expression
 * and a few more per value: ~3 % of the applications service's busy time on a page of 50 apps
 * (profiled). PostgreSQL's ISO output (DateStyle ISO, its default, which no service changes) is read
 * here by position; anything else (other DateStyles, BC dates, infinity, years before 100 or after
 * 9999, offsets with more digits) goes to postgres-date, whose Date this always equals.
 */
import pg from "pg";

const TIMESTAMPTZ = pg.types.builtins.TIMESTAMPTZ;

/** pg-types' own parser for timestamptz: postgres-date. */
const postgresDate = pg.types.getTypeParser(TIMESTAMPTZ, "text") as (text: string) => Date | number | null;

const DASH = 45;
const COLON = 58;
const SPACE = 32;
const DOT = 46;
const PLUS = 43;

/** The decimal value of `text[start, end)`, or -1 when a character there is not a digit. */
function digits(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48; // NaN past the end
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Milliseconds since the epoch of `YYYY-MM-DD HH:MM:SS[.F{1,6}]±HH[:MM[:SS]]`; undefined for any
 * other text. Only the first three fraction digits count: postgres-date's `1000 * parseFloat(".F")`
 * is truncated to them by Date.UTC (checked for every 6-digit fraction in the tests).
 */
function isoMillis(text: string): number | undefined {
  if (
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== SPACE ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  ) {
    return undefined;
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  // Date.UTC reads years 0–99 as 1900–1999: those are left to postgres-date's correction.
  if (year < 100 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let at = 19;
  let millis = 0;
  if (text.charCodeAt(at) === DOT) {
    const end = fractionEnd(text, at + 1);
    if (end === at + 1 || end > at + 7) return undefined;
    for (let i = at + 1, scale = 100; i < end && scale >= 1; i++, scale /= 10) {
      millis += (text.charCodeAt(i) - 48) * scale;
    }
    at = end;
  }
  const sign = text.charCodeAt(at) === PLUS ? 1 : text.charCodeAt(at) === DASH ? -1 : 0;
  const offsetSeconds = sign === 0 ? -1 : utcOffsetSeconds(text, at + 1);
  if (offsetSeconds < 0) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - sign * offsetSeconds * 1000;
}

/** Where the digits starting at `start` end. */
function fractionEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && digits(text, end, end + 1) >= 0) end++;
  return end;
}

/** `HH`, `HH:MM` or `HH:MM:SS` from `start` to the end of `text`, in seconds; -1 for anything else. */
function utcOffsetSeconds(text: string, start: number): number {
  const rest = text.length - start;
  if (rest !== 2 && rest !== 5 && rest !== 8) return -1;
  let seconds = 0;
  for (let at = start, scale = 3600; at < text.length; at += 3, scale /= 60) {
    if (at > start && text.charCodeAt(at - 1) !== COLON) return -1;
    const value = digits(text, at, at + 2);
    if (value < 0) return -1;
    seconds += value * scale;
  }
  return seconds;
}

/** A timestamptz value as pg gives it by default (a Date, or ±Infinity, as postgres-date). */
export function parseTimestamptz(text: string): Date | number | null {
  const millis = isoMillis(text);
  return millis === undefined ? postgresDate(text) : new Date(millis);
}

/**
 * The type parsers of every pool createDatabase makes: the process's (int8 as numbers included),
 * with timestamptz read by parseTimestamptz. Per pool, not pg's global table: other pg users in the
 * process keep postgres-date.
 */
export function databaseTypeParsers(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(TIMESTAMPTZ, "text", parseTimestamptz);
  return types;
}
