import { ValidationError } from "@proximity/errors";
import { describe, expect, it } from "vitest";
import { DEFAULT_BACKUP_POLICY } from "./backup-policy.js";
import { MIN_INTERVAL_MINUTES, nextRun, parseSchedule } from "./schedule.js";

/** The message of the "schedule" field error `expr` is refused with. */
function refusal(expr: string): string {
  try {
    parseSchedule(expr);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    const fields = (err as ValidationError).fieldErrors;
    expect(fields.map((f) => f.field)).toEqual(["schedule"]);
    return fields[0]?.message ?? "";
  }
  throw new Error(`"${expr}" was accepted`);
}

const runs = (expr: string, from: string, count: number, tz?: string): string[] => {
  const schedule = parseSchedule(expr);
  const out: string[] = [];
  let after = new Date(from);
  for (let i = 0; i < count; i++) {
    after = nextRun(schedule, after, tz);
    out.push(after.toISOString());
  }
  return out;
};

describe("schedule - parsing", () => {
  it.each([
    "0 3 * * *",
    "*/15 * * * *",
    "0,30 8-18 * * mon-fri",
    "0 0 1 jan,jul *",
    "15 2 * * SUN",
    "0 */6 * * *",
    "5/30 * * * *",
    "0 4 1-7 * 1",
    "0 0 29 2 *",
    "0 12 * * 7",
    "0 0 1 1-jan *", // jan is month 1
    "  0   3 * *   *  ",
  ])("schedule - accepts %s", (expr) => {
    expect(parseSchedule(expr).expression).toBe(expr.trim().split(/\s+/).join(" "));
  });

  it("schedule - the default policy's schedule is valid", () => {
    expect(() => parseSchedule(DEFAULT_BACKUP_POLICY.schedule)).not.toThrow();
  });

  it.each([
    ["", /5 fields.*got 0/],
    ["0 3 * *", /5 fields.*got 4/],
    ["0 0 3 * * *", /seconds field is not supported/],
    ["@daily", /5 fields/],
    ["60 3 * * *", /^minute: 60 is out of range 0-59$/],
    ["0 24 * * *", /^hour: 24 is out of range 0-23$/],
    ["0 3 0 * *", /^day of month: 0 is out of range 1-31$/],
    ["0 3 32 * *", /^day of month: 32/],
    ["0 3 * 13 *", /^month: 13 is out of range 1-12$/],
    ["0 3 * * 8", /^day of week: 8 is out of range 0-7$/],
    ["0 3 * foo *", /^month: "foo" is not a number or a known name$/],
    ["0 3 * * monday", /^day of week: "monday"/],
    ["0 jan * * *", /^hour: "jan"/],
    ["0 3 L * *", /^day of month: "l"/],
    ["0 3 * * 5#3", /^day of week: "5#3" is not a value, range, list or step$/],
    ["0 3 ? * *", /^day of month: "\?"/],
    ["H 3 * * *", /^minute: "h"/],
    ["0 3 * * 1,,2", /^day of week: "" is not a value/],
    ["0 20-4 * * *", /^hour: range 20-4 goes backwards$/],
    ["0 */0 * * *", /^hour: the step must be at least 1$/],
    ["0 3 * * -1", /^day of week/],
    ["0 0 30 2 *", /never runs/],
    ["0 0 31 4,6,9,11 *", /never runs/],
  ])("schedule - refuses %j", (expr, message) => {
    expect(refusal(expr)).toMatch(message);
  });

  it("schedule - refuses an overlong expression", () => {
    expect(refusal(`0 3 * * ${"1,".repeat(150)}2`)).toMatch(/at most 200 characters/);
  });
});

describe("schedule - minimum interval", () => {
  it("schedule - is 15 minutes", () => {
    expect(MIN_INTERVAL_MINUTES).toBe(15);
  });

  it.each([
    ["* * * * *", 1],
    ["*/5 * * * *", 5],
    ["*/14 * * * *", 4], // :56, then :00 of the next hour
    ["*/25 * * * *", 10], // :50, then :00
    ["*/20 * * * *", 20],
    ["0,10 * * * *", 10],
    ["0,50 3 * * *", 50],
    ["55 2 * * *", 24 * 60],
  ])("schedule - %s runs every %i minutes at the least", (expr, gap) => {
    if (gap < MIN_INTERVAL_MINUTES) expect(refusal(expr)).toMatch(`runs every ${gap} minute(s)`);
    else expect(() => parseSchedule(expr)).not.toThrow();
  });

  it("schedule - the gap across midnight counts", () => {
    // 23:55 → 00:05 the next day.
    expect(refusal("5,55 0,23 * * *")).toMatch("runs every 10 minute(s)");
    expect(() => parseSchedule("0 0,23 * * *")).not.toThrow();
  });

  it("schedule - every 15 minutes is the most often allowed", () => {
    expect(() => parseSchedule("*/15 * * * *")).not.toThrow();
    expect(() => parseSchedule("0,15,30,45 * * * *")).not.toThrow();
    expect(refusal("0,14,30,45 * * * *")).toMatch("runs every 14 minute(s)");
  });
});

describe("schedule - next run", () => {
  it("schedule - nightly at 03:00 UTC by default", () => {
    expect(runs("0 3 * * *", "2024-01-01T10:00:00Z", 2)).toEqual([
      "2024-01-02T03:00:00.000Z",
      "2024-01-03T03:00:00.000Z",
    ]);
  });

  it("schedule - is strictly after the given instant", () => {
    const s = parseSchedule("0 3 * * *");
    expect(nextRun(s, new Date("2024-01-01T03:00:00.000Z")).toISOString()).toBe("2024-01-02T03:00:00.000Z");
    expect(nextRun(s, new Date("2024-01-01T02:59:59.999Z")).toISOString()).toBe("2024-01-01T03:00:00.000Z");
    expect(nextRun(s, new Date("2024-01-01T03:00:00.001Z")).toISOString()).toBe("2024-01-02T03:00:00.000Z");
  });

  it("schedule - steps, lists and names", () => {
    expect(runs("*/15 * * * *", "2024-01-01T10:07:00Z", 3)).toEqual([
      "2024-01-01T10:15:00.000Z",
      "2024-01-01T10:30:00.000Z",
      "2024-01-01T10:45:00.000Z",
    ]);
    // 2024-01-05 is a Friday.
    expect(runs("30 8 * * mon-fri", "2024-01-05T09:00:00Z", 2)).toEqual([
      "2024-01-08T08:30:00.000Z",
      "2024-01-09T08:30:00.000Z",
    ]);
    expect(runs("0 0 1 jan,jul *", "2024-02-01T00:00:00Z", 2)).toEqual([
      "2024-07-01T00:00:00.000Z",
      "2025-01-01T00:00:00.000Z",
    ]);
  });

  it("schedule - day of week 7 is Sunday", () => {
    expect(runs("0 3 * * 7", "2024-01-01T00:00:00Z", 1)).toEqual(["2024-01-07T03:00:00.000Z"]);
  });

  it("schedule - with both day fields restricted, either matching is enough (Vixie cron)", () => {
    // The 13th, and every Friday.
    expect(runs("0 0 13 * fri", "2024-01-01T00:00:00Z", 3)).toEqual([
      "2024-01-05T00:00:00.000Z",
      "2024-01-12T00:00:00.000Z",
      "2024-01-13T00:00:00.000Z",
    ]);
  });

  it("schedule - 29 February runs in leap years only", () => {
    expect(runs("0 0 29 2 *", "2024-03-01T00:00:00Z", 1)).toEqual(["2028-02-29T00:00:00.000Z"]);
  });

  it("schedule - follows the wall clock of the configured zone", () => {
    expect(runs("0 3 * * *", "2024-01-01T10:00:00Z", 1, "Europe/Berlin")).toEqual([
      "2024-01-02T02:00:00.000Z",
    ]);
    expect(runs("0 3 * * *", "2024-07-01T10:00:00Z", 1, "Europe/Berlin")).toEqual([
      "2024-07-02T01:00:00.000Z",
    ]);
    expect(runs("0 3 * * *", "2024-01-01T10:00:00Z", 1, "America/New_York")).toEqual([
      "2024-01-02T08:00:00.000Z",
    ]);
  });

  it("schedule - a time skipped by DST still runs that day, a repeated one runs once", () => {
    // Europe/Berlin: 02:00 → 03:00 on 31 March 2024; 03:00 → 02:00 on 27 October 2024.
    expect(runs("30 2 * * *", "2024-03-30T12:00:00Z", 2, "Europe/Berlin")).toEqual([
      "2024-03-31T01:30:00.000Z",
      "2024-04-01T00:30:00.000Z",
    ]);
    expect(runs("30 2 * * *", "2024-10-26T12:00:00Z", 2, "Europe/Berlin")).toEqual([
      "2024-10-27T00:30:00.000Z",
      "2024-10-28T01:30:00.000Z",
    ]);
  });

  it("schedule - an unknown zone is refused", () => {
    expect(() => nextRun(parseSchedule("0 3 * * *"), new Date(), "Mars/Olympus")).toThrow(ValidationError);
  });
});
