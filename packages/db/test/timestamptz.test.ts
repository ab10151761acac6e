import { sql } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../src/index.js";

const db = createDatabase<unknown>({ url: inject("databaseUrl"), schema: "timestamptz_test" });
afterAll(() => db.destroy());

/** pg-types' own timestamptz parser (postgres-date), the reference. */
const postgresDate = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, "text") as (
  text: string,
) => Date | number | null;

const VALUES = [
  "2026-12-06 06:09:43.123456+00",
  "2026-12-06 06:09:43+00",
  "2026-06-06 06:09:43.5+00",
  "1900-01-01 12:00:00+00",
  "0099-01-01 00:00:00+00",
  "0044-03-15 12:00:00+00 BC",
  "12026-01-01 00:00:00+00",
  "infinity",
  "-infinity",
];

describe("timestamptz - createDatabase's pools read timestamptz as postgres-date would", () => {
  for (const [timeZone, dateStyle] of [
    ["UTC", "ISO, MDY"],
    ["Asia/Kolkata", "ISO, MDY"],
    ["America/Los_Angeles", "ISO, MDY"],
    ["Europe/Paris", "ISO, MDY"],
    ["UTC", "SQL, DMY"],
  ] as const) {
    it(`timestamptz - TimeZone ${timeZone}, DateStyle ${dateStyle}`, async () => {
      const rows = await db.transaction().execute(async (trx) => {
        await sql`select set_config('TimeZone', ${timeZone}, true), set_config('DateStyle', ${dateStyle}, true)`.execute(
          trx,
        );
        const result = await sql<{ at: Date | number | null; text: string }>`
          select v::timestamptz as at, v::timestamptz::text as text from unnest(${VALUES}::text[]) as v`.execute(
          trx,
        );
        return result.rows;
      });
      expect(rows).toHaveLength(VALUES.length);
      for (const { at, text } of rows) {
        const expected = postgresDate(text);
        expect(at instanceof Date ? at.getTime() : at, text).toEqual(
          expected instanceof Date ? expected.getTime() : expected,
        );
      }
      if (dateStyle.startsWith("ISO")) expect(rows[0]!.at).toEqual(new Date("2026-12-06T06:09:43.123Z"));
    });
  }
});
