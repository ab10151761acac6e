import pg from "pg";
import { describe, expect, it } from "vitest";
import { parseTimestamptz } from "./timestamptz.js";

/** pg-types' own timestamptz parser (postgres-date), the reference. */
const postgresDate = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, "text") as (
  text: string,
) => Date | number | null;

/** What a parse gives, comparable: a Date's time (NaN as a string), or the number / null. */
function outcome(value: Date | number | null): unknown {
  return value instanceof Date ? `Date ${value.getTime()}` : value;
}

function expectSame(text: string): void {
  expect(outcome(parseTimestamptz(text)), text).toEqual(outcome(postgresDate(text)));
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** `ms` since the epoch as PostgreSQL writes it (DateStyle ISO) in a zone `offsetSeconds` east of UTC. */
function pgText(ms: number, micros: number, fractionDigits: number, offsetSeconds: number): string {
  const local = new Date(ms + offsetSeconds * 1000);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}`;
  const time = `${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}`;
  const fraction = fractionDigits
    ? `.${pad(local.getUTCMilliseconds() * 1000 + micros, 6).slice(0, fractionDigits)}`
    : "";
  const abs = Math.abs(offsetSeconds);
  const [h, m, s] = [Math.floor(abs / 3600), Math.floor((abs % 3600) / 60), abs % 60];
  const offset = `${offsetSeconds < 0 ? "-" : "+"}${pad(h, 2)}${m || s ? `:${pad(m, 2)}` : ""}${s ? `:${pad(s, 2)}` : ""}`;
  return `${date} ${time}${fraction}${offset}`;
}

describe("timestamptz - the same Date as postgres-date, faster", () => {
  it.each([
    "2026-12-06 06:09:43.123456+00",
    "2026-12-06 06:09:43+00",
    "2026-12-06 06:09:43.5+00",
    "2026-12-06 06:09:43.58+00",
    "2026-12-06 06:09:43.581+00",
    "2026-12-06 06:09:43.999999+00",
    "2026-12-06 06:09:43.000001+00",
    "2026-12-06 06:09:43.123456+05:30",
    "2026-12-06 06:09:43.123456-08",
    "2026-12-06 06:09:43-03:30",
    "1911-03-10 23:50:39+00:09:21",
    "1899-12-31 23:59:59.999-00:25:21",
    "1970-01-01 00:00:00+00",
    "1969-12-31 23:59:59.999999+00",
    "2000-02-29 12:00:00+14",
    "9999-12-31 23:59:59.999999+00",
    "0100-01-01 00:00:00+00",
    "0999-06-15 08:00:00+01",
    // Left to postgres-date: years 0–99, BC, after 9999, infinity, other shapes and DateStyles.
    "0099-01-01 00:00:00+00",
    "0001-01-01 00:00:00+00 BC",
    "2026-12-06 06:09:43+00 BC",
    "10000-01-01 00:00:00+00",
    "275760-09-13 00:00:00+00",
    "infinity",
    "-infinity",
    "2026-12-06",
    "2026-12-06 06:09:43",
    "2026-12-06 06:09:43.1234567+00",
    "2026-12-06 06:09:43.+00",
    "2026-12-06 06:09:43+0530",
    "2026-12-06 06:09:43+05:3",
    "2026-12-06 06:09:43Z",
    "2026-12-06T06:09:43+00",
    "12/06/2026 06:09:43.123456 UTC",
    "Sun Dec 06 06:09:43.123456 2026 UTC",
    "06.12.2026 06:09:43.123456 UTC",
    "2026-1a-06 06:09:43+00",
    "2026-12-06 06:09",
    "",
  ])("timestamptz - %s", (text) => expectSame(text));

  it("timestamptz - every 6-digit fraction gives postgres-date's milliseconds", () => {
    for (let micros = 0; micros < 1_000_000; micros += 7)
      expectSame(`2026-12-06 06:09:43.${pad(micros, 6)}+00`);
    for (let micros = 993_000; micros < 1_000_000; micros++)
      expectSame(`2026-12-06 06:09:43.${pad(micros, 6)}+00`);
  });

  it("timestamptz - random timestamps in random zones, as PostgreSQL writes them", () => {
    const min = Date.UTC(100, 0, 2);
    const max = Date.UTC(9999, 11, 30);
    const offsets = [0, 0, 3600, -8 * 3600, 5.5 * 3600, -3.5 * 3600, 14 * 3600, -12 * 3600, 561, -1521];
    for (let i = 0; i < 50_000; i++) {
      const ms = min + Math.floor(Math.random() * (max - min));
      const micros = Math.floor(Math.random() * 1000);
      const offset = offsets[i % offsets.length]!;
      expectSame(pgText(ms, micros, Math.floor(Math.random() * 7), offset));
    }
  });
});
