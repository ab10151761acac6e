import { ValidationError } from "@proximity/errors";
import { CronExpressionParser } from "cron-parser";
import { describe, expect, it } from "vitest";
import { DEFAULT_BACKUP_POLICY } from "./backup-policy.js";
import { MIN_INTERVAL_MINUTES, nextRun, parseSchedule, searchNextRun } from "./schedule.js";

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

describe("schedule - where cron-parser gives up (clock changes of Australia/Lord_Howe)", () => {
  // Lord Howe Island moves its clock by 30 minutes: 02:00 (+11:00) → 01:30 (+10:30) on Sunday
  // 6 April 2025, i.e. at 2025-04-05T15:00Z.
  const LORD_HOWE = "Australia/Lord_Howe";
  const cronParserGivesUp = (expr: string, from: string) =>
    expect(() =>
      CronExpressionParser.parse(expr, { currentDate: new Date(from), tz: LORD_HOWE }).next(),
    ).toThrow(/loop limit exceeded/);

  it("schedule - Sundays 03:15 from the Sunday before the change: the next slot, all week long", () => {
    cronParserGivesUp("15 3 * * 0", "2025-03-29T16:15:00Z"); // the case this guards (cron-parser 5.10)
    const schedule = parseSchedule("15 3 * * 0");
    // 03:15 on 6 April, after the change (+10:30).
    const expected = "2025-04-05T16:45:00.000Z";
    // Every 11 h 15 min (each costs cron-parser ~0.3 s to give up): all times of day over the week.
    for (let t = Date.parse("2025-03-29T16:15:00Z"); t < Date.parse(expected); t += 675 * 60_000) {
      expect(nextRun(schedule, new Date(t), LORD_HOWE).toISOString(), new Date(t).toISOString()).toBe(
        expected,
      );
    }
    expect(runs("15 3 * * 0", expected, 2, LORD_HOWE)).toEqual([
      "2025-04-12T16:45:00.000Z",
      "2025-04-19T16:45:00.000Z",
    ]);
  });

  it("schedule - 02:00 and 02:30 daily across the change: each slot once, none skipped", () => {
    cronParserGivesUp("0,30 2 * * *", "2025-04-04T15:30:00Z");
    // 5 April 02:30 (+11:00) = after; 02:00 on the 6th is only ever reached at +10:30.
    expect(runs("0,30 2 * * *", "2025-04-04T15:30:00Z", 4, LORD_HOWE)).toEqual([
      "2025-04-05T15:30:00.000Z",
      "2025-04-05T16:00:00.000Z",
      "2025-04-06T15:30:00.000Z",
      "2025-04-06T16:00:00.000Z",
    ]);
    cronParserGivesUp("0 3 * * *", "2025-04-04T16:00:00Z");
    expect(runs("0 3 * * *", "2025-04-04T16:00:00Z", 1, LORD_HOWE)).toEqual(["2025-04-05T16:30:00.000Z"]);
  });

  it("schedule - a yearly slot on the day of the change, months ahead", () => {
    cronParserGivesUp("15 3 6 4 *", "2025-01-01T00:00:00Z");
    expect(runs("15 3 6 4 *", "2025-01-01T00:00:00Z", 2, LORD_HOWE)).toEqual([
      "2025-04-05T16:45:00.000Z",
      "2026-04-05T16:45:00.000Z", // 2026's change is on 5 April: the 6th is at +10:30 again
    ]);
  });

  it("schedule - no run to be found is a ValidationError on schedule in plain words, not a crash", () => {
    // 29 February never comes again before the end of JavaScript's calendar (September 275760).
    let err: unknown;
    try {
      nextRun(parseSchedule("0 0 29 2 *"), new Date("+275760-03-01T00:00:00Z"), LORD_HOWE);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors).toEqual([
      {
        field: "schedule",
        message: `its next run cannot be worked out in time zone ${LORD_HOWE}; choose another time or time zone`,
      },
    ]);
  });
});

describe("schedule - our own search agrees with cron-parser wherever cron-parser answers", () => {
  const ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe", // 30-minute change
    "Pacific/Chatham", // +12:45 / +13:45, changes at 02:45 / 03:45
    "America/Santiago", // changes at midnight
    "Asia/Kathmandu", // +05:45
    "America/St_Johns", // -03:30
  ];
  const EXPRESSIONS = [
    "30 2 * * *",
    "0,30 2 * * *",
    "*/15 * * * *",
    "0 0 * * *",
    "45 23 * * *",
    "15 3 * * 0",
    "0 2,3 * * *",
    "*/15 1-3 * * *",
    "0 0 13 * fri",
    "30 0 1 * *",
    "0 */6 * * *",
    "15,45 1,2 * * 6",
    "0 12 * * 1-5",
    "0 1 1 jan,jul *",
  ];

  it("schedule - random instants over two years, every zone and schedule", () => {
    const rnd = random(7);
    let compared = 0;
    for (let i = 0; i < 1500; i++) {
      const timeZone = ZONES[Math.floor(rnd() * ZONES.length)] as string;
      const expr = EXPRESSIONS[Math.floor(rnd() * EXPRESSIONS.length)] as string;
      // Quarter hours (on and next to slots) and arbitrary instants.
      const quarter = Date.parse("2024-01-01T00:00:00Z") + Math.floor(rnd() * 2 * 365 * 96) * 15 * 60_000;
      const after = new Date(quarter + (rnd() < 0.3 ? Math.floor(rnd() * 15 * 60_000) : 0));
      let expected: Date;
      try {
        expected = CronExpressionParser.parse(expr, { currentDate: after, tz: timeZone }).next().toDate();
      } catch {
        continue;
      }
      compared++;
      const found = searchNextRun(parseSchedule(expr), after, timeZone);
      expect(found?.toISOString(), `${expr} in ${timeZone} after ${after.toISOString()}`).toBe(
        expected.toISOString(),
      );
    }
    expect(compared).toBeGreaterThan(1400);
  });

  it("schedule - clock changes, case by case: a skipped time runs as much later as the clock jumped, a repeated one once", () => {
    const next = (expr: string, after: string, timeZone: string) =>
      searchNextRun(parseSchedule(expr), new Date(after), timeZone)?.toISOString();
    // Berlin skips 02:00-03:00 on 31 March 2024: 02:30 runs at 03:30 (+02:00).
    expect(next("30 2 * * *", "2024-03-30T12:00:00Z", "Europe/Berlin")).toBe("2024-03-31T01:30:00.000Z");
    // Berlin repeats 02:00-03:00 on 27 October 2024: 02:30 runs at its first occurrence only.
    expect(next("30 2 * * *", "2024-10-26T12:00:00Z", "Europe/Berlin")).toBe("2024-10-27T00:30:00.000Z");
    expect(next("30 2 * * *", "2024-10-27T00:30:00Z", "Europe/Berlin")).toBe("2024-10-28T01:30:00.000Z");
    // Lord Howe repeats 01:30-02:00 on 6 April 2025 (30 minutes).
    expect(next("45 1 * * *", "2025-04-05T14:00:00Z", "Australia/Lord_Howe")).toBe(
      "2025-04-05T14:45:00.000Z",
    );
    expect(next("45 1 * * *", "2025-04-05T14:45:00Z", "Australia/Lord_Howe")).toBe(
      "2025-04-06T15:15:00.000Z",
    );
    // Where ours and cron-parser differ, ours keeps these same rules:
    // Chatham skips 02:45-03:45 on 29 September 2024: 02:45 runs at 03:45 (+13:45); cron-parser
    // drops the day.
    expect(next("45 2 * * *", "2024-09-27T14:32:00Z", "Pacific/Chatham")).toBe("2024-09-28T14:00:00.000Z");
    // Santiago repeats 23:00-23:59 of 5 April 2025: 23:59 ran at its first occurrence (02:59Z),
    // so not again at the second (03:59Z); cron-parser runs it twice.
    expect(next("59 23 * * *", "2025-04-06T03:50:00Z", "America/Santiago")).toBe("2025-04-07T03:59:00.000Z");
    // Pyongyang skipped 23:30-24:00 on 4 May 2018: 23:45 would run at 00:15 (+09:00), after the
    // next day's 00:00, which comes first; cron-parser skips both to 00:45.
    expect(next("0,45 0,23 * * *", "2018-05-04T14:50:00Z", "Asia/Pyongyang")).toBe(
      "2018-05-04T15:00:00.000Z",
    );
    // … and from 00:05 on the 5th, that skipped 23:45 of the day before is still to come.
    expect(next("0,45 0,23 * * *", "2018-05-04T15:05:00Z", "Asia/Pyongyang")).toBe(
      "2018-05-04T15:15:00.000Z",
    );
  });
});

/** A small seeded generator (mulberry32): the same instants on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
