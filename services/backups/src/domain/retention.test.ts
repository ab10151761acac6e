import { ValidationError } from "@proximity/errors";
import { describe, expect, it } from "vitest";
import { type BackupRecord, type RetentionPolicy, selectBackupsToPrune } from "./retention.js";
import { isoWeek, localTime } from "./time-zone.js";

const OFF: RetentionPolicy = {
  keepLast: 0,
  keepHourly: 0,
  keepDaily: 0,
  keepWeekly: 0,
  keepMonthly: 0,
  keepYearly: 0,
};
const policy = (p: Partial<RetentionPolicy>): RetentionPolicy => ({ ...OFF, ...p });
const at = (id: string, iso: string, extra: Partial<BackupRecord> = {}): BackupRecord => ({
  id,
  createdAt: new Date(iso),
  ...extra,
});
const kept = (backups: readonly BackupRecord[], p: Partial<RetentionPolicy>, tz?: string) =>
  selectBackupsToPrune(backups, policy(p), tz)
    .keep.map((k) => k.id)
    .sort();
const pruned = (backups: readonly BackupRecord[], p: Partial<RetentionPolicy>, tz?: string) =>
  [...selectBackupsToPrune(backups, policy(p), tz).prune].sort();

/**
 * The fixtures of Proxmox's own test suite (pve-storage test/prune_backups_test.pm, one qemu
 * backup group, UTC): expected marks in the order b0…b4.
 */
describe("retention - Proxmox pve-storage prune_backups_test fixtures", () => {
  const group = [
    at("b0", "2018-05-26T11:18:21Z"),
    at("b1", "2019-12-31T11:18:21Z"),
    at("b2", "2019-12-31T11:19:21Z"),
    at("b3", "2020-01-01T11:18:21Z"),
    at("b4", "2020-01-01T12:18:21Z"),
  ];
  const K = "keep";
  const R = "remove";
  const cases: [string, Partial<RetentionPolicy>, string[]][] = [
    ["last=3", { keepLast: 3 }, [R, R, K, K, K]],
    ["weekly=2", { keepWeekly: 2 }, [K, R, R, R, K]],
    ["daily=weekly=monthly=1", { keepDaily: 1, keepWeekly: 1, keepMonthly: 1 }, [K, R, K, R, K]],
    ["hourly=4", { keepHourly: 4 }, [K, R, K, K, K]],
    ["yearly=2", { keepYearly: 2 }, [R, R, K, R, K]],
    ["last=2,hourly=2", { keepLast: 2, keepHourly: 2 }, [K, R, K, K, K]],
    ["last=1,monthly=2", { keepLast: 1, keepMonthly: 2 }, [K, R, K, R, K]],
    ["monthly=3", { keepMonthly: 3 }, [K, R, K, R, K]],
    ["last=daily=weekly=1", { keepLast: 1, keepDaily: 1, keepWeekly: 1 }, [K, R, K, R, K]],
    ["daily=2", { keepDaily: 2 }, [R, R, K, R, K]],
    ["weekly=monthly=1", { keepWeekly: 1, keepMonthly: 1 }, [K, R, R, R, K]],
    ["weekly=yearly=1", { keepWeekly: 1, keepYearly: 1 }, [K, R, R, R, K]],
    ["all zero (keep-all)", {}, [K, K, K, K, K]],
  ];
  it.each(cases)("retention - %s", (_name, p, marks) => {
    const result = selectBackupsToPrune(group, policy(p));
    const actual = group.map((b) => (result.keep.some((k) => k.id === b.id) ? K : R));
    expect(actual).toEqual(marks);
  });

  it("retention - daily=weekly=monthly=1 threeway: the month is already covered by the weekly keep", () => {
    const threeway = [
      at("dec25", "2019-12-25T12:18:21Z"),
      at("dec31", "2019-12-31T12:18:21Z"),
      at("jan01", "2020-01-01T12:18:21Z"),
    ];
    const result = selectBackupsToPrune(threeway, policy({ keepDaily: 1, keepWeekly: 1, keepMonthly: 1 }));
    expect(result.keep).toEqual([
      { id: "jan01", reason: "keep-daily" },
      { id: "dec25", reason: "keep-weekly" },
    ]);
    expect(result.prune).toEqual(["dec31"]);
  });

  it("retention - yearly=1 across 1970 and 2070", () => {
    const list = [at("old", "1970-01-01T00:01:23Z"), at("new", "2070-01-01T00:01:00Z")];
    expect(pruned(list, { keepYearly: 1 })).toEqual(["old"]);
  });
});

describe("retention - rules", () => {
  it("retention - every count at zero keeps everything, as keep-all", () => {
    const list = [
      at("a", "2024-01-01T00:00:00Z"),
      at("b", "2024-01-01T00:00:00Z"),
      at("c", "2020-06-01T00:00:00Z"),
    ];
    const result = selectBackupsToPrune(list, OFF);
    expect(result.prune).toEqual([]);
    expect(result.keep.map((k) => k.reason)).toEqual(["keep-all", "keep-all", "keep-all"]);
  });

  it("retention - omitted keep-hourly and keep-yearly mean off", () => {
    const list = [at("a", "2024-01-01T10:00:00Z"), at("b", "2024-01-01T09:00:00Z")];
    expect(
      selectBackupsToPrune(list, { keepLast: 1, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 }).prune,
    ).toEqual(["b"]);
  });

  it("retention - several backups on one day: keep-daily keeps only the newest of that day", () => {
    const list = [at("d1-early", "2024-03-05T01:00:00Z"), at("d1-late", "2024-03-05T23:00:00Z")];
    const result = selectBackupsToPrune(list, policy({ keepDaily: 5 }));
    expect(result.keep).toEqual([{ id: "d1-late", reason: "keep-daily" }]);
    expect(result.prune).toEqual(["d1-early"]);
  });

  it("retention - periods without backups do not count (gaps)", () => {
    const list = ["2024-03-01", "2024-03-05", "2024-03-10", "2024-03-20"].map((d) => at(d, `${d}T03:00:00Z`));
    expect(kept(list, { keepDaily: 3 })).toEqual(["2024-03-05", "2024-03-10", "2024-03-20"]);
  });

  it("retention - each rule only reaches beyond what earlier rules kept", () => {
    // Daily backups for 10 days: keep-last 2 takes two days, keep-daily 3 the three days before.
    const list = Array.from({ length: 10 }, (_, i) =>
      at(`d${i + 1}`, `2024-03-${String(i + 1).padStart(2, "0")}T03:00:00Z`),
    );
    const result = selectBackupsToPrune(list, policy({ keepLast: 2, keepDaily: 3 }));
    expect(result.keep).toEqual([
      { id: "d10", reason: "keep-last" },
      { id: "d9", reason: "keep-last" },
      { id: "d8", reason: "keep-daily" },
      { id: "d7", reason: "keep-daily" },
      { id: "d6", reason: "keep-daily" },
    ]);
    expect(result.prune).toEqual(["d5", "d4", "d3", "d2", "d1"]);
  });

  it("retention - the documented example keep-last=3,keep-daily=13,keep-yearly=9 on 3 years of nightly backups", () => {
    const start = Date.UTC(2022, 0, 1, 3);
    const list = Array.from({ length: 3 * 365 }, (_, i) => ({
      id: `n${i}`,
      createdAt: new Date(start + i * 86_400_000),
    }));
    const result = selectBackupsToPrune(list, policy({ keepLast: 3, keepDaily: 13, keepYearly: 9 }));
    const reasons = result.keep.map((k) => `${k.reason} ${k.id}`);
    // 3 + 13 most recent nights, then the newest of each older year (2023's last night, 2022's).
    expect(reasons).toEqual([
      ...[1094, 1093, 1092].map((i) => `keep-last n${i}`),
      ...Array.from({ length: 13 }, (_, i) => `keep-daily n${1091 - i}`),
      "keep-yearly n729",
      "keep-yearly n364",
    ]);
    expect(result.prune).toHaveLength(3 * 365 - 18);
  });

  it("retention - ISO weeks: 31 Dec 2019 is week 1 of 2020", () => {
    const list = [at("tue-dec31", "2019-12-31T10:00:00Z"), at("sun-jan05", "2020-01-05T10:00:00Z")];
    expect(pruned(list, { keepWeekly: 5 })).toEqual(["tue-dec31"]);
  });

  it("retention - ISO week 53: 28 Dec 2020 to 3 Jan 2021 is one week", () => {
    expect(isoWeek(2020, 12, 28)).toEqual({ weekYear: 2020, week: 53 });
    expect(isoWeek(2021, 1, 3)).toEqual({ weekYear: 2020, week: 53 });
    expect(isoWeek(2021, 1, 4)).toEqual({ weekYear: 2021, week: 1 });
    const list = [
      at("sun-dec27", "2020-12-27T10:00:00Z"), // week 52
      at("mon-dec28", "2020-12-28T10:00:00Z"), // week 53
      at("fri-jan01", "2021-01-01T10:00:00Z"), // week 53
      at("sun-jan03", "2021-01-03T10:00:00Z"), // week 53
      at("mon-jan04", "2021-01-04T10:00:00Z"), // week 1 of 2021
    ];
    expect(kept(list, { keepWeekly: 3 })).toEqual(["mon-jan04", "sun-dec27", "sun-jan03"]);
  });

  it("retention - year boundary: keep-monthly and keep-yearly use the calendar year", () => {
    const list = [at("dec31", "2023-12-31T23:00:00Z"), at("jan01", "2024-01-01T01:00:00Z")];
    expect(kept(list, { keepYearly: 2 })).toEqual(["dec31", "jan01"]);
    expect(kept(list, { keepMonthly: 1 })).toEqual(["jan01"]);
  });

  it("retention - a larger keep-weekly can move what keep-monthly keeps (Proxmox's final remove mark)", () => {
    // ISO week 1 of 2020 holds both 31 Dec and 5 Jan. Taking that week marks 31 Dec removed,
    // so keep-monthly passes over it and keeps 29 Dec for December instead.
    const list = [
      at("jan09", "2020-01-09T10:00:00Z"),
      at("jan05", "2020-01-05T10:00:00Z"),
      at("dec31", "2019-12-31T10:00:00Z"),
      at("dec29", "2019-12-29T10:00:00Z"),
    ];
    expect(pruned(list, { keepWeekly: 1, keepMonthly: 2 })).toEqual(["dec29", "jan05"]);
    expect(pruned(list, { keepWeekly: 2, keepMonthly: 2 })).toEqual(["dec31"]);
  });

  it("retention - identical timestamps are one instant for keep-last, as Proxmox's ctime-keyed keep-last", () => {
    const list = [
      at("b", "2024-01-01T00:00:00Z"),
      at("a", "2024-01-01T00:00:00Z"),
      at("c", "2023-12-31T00:00:00Z"),
    ];
    const result = selectBackupsToPrune(list, policy({ keepLast: 2 }));
    // Ties are ordered by id, so the result does not depend on the listing order.
    expect(result.keep).toEqual([
      { id: "a", reason: "keep-last" },
      { id: "c", reason: "keep-last" },
    ]);
    expect(result.prune).toEqual(["b"]);
  });

  it("retention - protected backups are never pruned and do not fill a period", () => {
    const list = [
      at("p", "2024-03-05T23:00:00Z", { protected: true }),
      at("x", "2024-03-05T22:00:00Z"),
      at("y", "2024-03-04T22:00:00Z"),
    ];
    const result = selectBackupsToPrune(list, policy({ keepDaily: 1 }));
    expect(result.keep).toEqual([
      { id: "p", reason: "protected" },
      { id: "x", reason: "keep-daily" },
    ]);
    expect(result.prune).toEqual(["y"]);
    expect(selectBackupsToPrune(list, OFF).keep.map((k) => k.reason)).toEqual([
      "protected",
      "keep-all",
      "keep-all",
    ]);
  });

  it("retention - no backups: nothing to do", () => {
    expect(selectBackupsToPrune([], policy({ keepLast: 3 }))).toEqual({ keep: [], prune: [] });
  });
});

describe("retention - time zones", () => {
  const list = [at("late", "2024-01-02T00:30:00Z"), at("early", "2024-01-01T23:30:00Z")];

  it("retention - days are UTC days by default", () => {
    expect(pruned(list, { keepDaily: 2 })).toEqual([]);
  });

  it("retention - days are local days of the configured zone", () => {
    // Both are on 1 January in New York (UTC-5).
    expect(pruned(list, { keepDaily: 2 }, "America/New_York")).toEqual(["early"]);
    // 00:30 and 01:30 on 2 January in Berlin (UTC+1): one day there too.
    expect(pruned(list, { keepDaily: 2 }, "Europe/Berlin")).toEqual(["early"]);
  });

  it("retention - the hour repeated when DST ends is one local hour, as with localtime", () => {
    expect(localTime(new Date("2024-10-27T00:30:00Z"), "Europe/Berlin").hour).toBe(2);
    expect(localTime(new Date("2024-10-27T01:30:00Z"), "Europe/Berlin").hour).toBe(2);
    const dst = [
      at("cet", "2024-10-27T01:30:00Z"),
      at("cest", "2024-10-27T00:30:00Z"),
      at("before", "2024-10-26T23:30:00Z"),
    ];
    expect(pruned(dst, { keepHourly: 2 }, "Europe/Berlin")).toEqual(["cest"]);
    expect(pruned(dst, { keepHourly: 2 })).toEqual(["before"]);
  });

  it("retention - an unknown zone is refused", () => {
    expect(() => selectBackupsToPrune(list, policy({ keepLast: 1 }), "Mars/Olympus")).toThrow(
      ValidationError,
    );
  });
});

describe("retention - input validation", () => {
  it.each([
    ["negative", { keepLast: -1 }, "keep_last"],
    ["fractional", { keepDaily: 1.5 }, "keep_daily"],
    ["NaN", { keepWeekly: Number.NaN }, "keep_weekly"],
    ["infinite", { keepMonthly: Number.POSITIVE_INFINITY }, "keep_monthly"],
    ["negative optional", { keepYearly: -2 }, "keep_yearly"],
  ] as const)("retention - a %s count is refused", (_name, p, field) => {
    try {
      selectBackupsToPrune([], policy(p));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fieldErrors.map((f) => f.field)).toEqual([field]);
    }
  });

  it("retention - duplicate ids and invalid dates are refused", () => {
    const p = policy({ keepLast: 1 });
    expect(() =>
      selectBackupsToPrune([at("a", "2024-01-01T00:00:00Z"), at("a", "2024-01-02T00:00:00Z")], p),
    ).toThrow(ValidationError);
    expect(() => selectBackupsToPrune([{ id: "a", createdAt: new Date("nope") }], p)).toThrow(
      ValidationError,
    );
  });
});

// Property tests over seeded random backup sets (reproducible; no extra dependency).
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

const RULE_KEYS = ["keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly"] as const;
const RULE_NAMES = ["keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly", "keep-yearly"];

function scenario(rnd: () => number) {
  const spanDays = [0.25, 3, 45, 400, 2000][Math.floor(rnd() * 5)] as number;
  const start = Date.UTC(2016 + Math.floor(rnd() * 8), Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28));
  const backups: BackupRecord[] = Array.from({ length: 1 + Math.floor(rnd() * 40) }, (_, i) => ({
    id: `b${i}`,
    createdAt: new Date(start + Math.floor((rnd() * spanDays * 86_400_000) / 60_000) * 60_000),
  }));
  const p = {} as Record<(typeof RULE_KEYS)[number], number>;
  for (const k of RULE_KEYS) p[k] = rnd() < 0.5 ? 0 : Math.floor(rnd() * 6);
  const tz = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"][Math.floor(rnd() * 4)] as string;
  return { backups, policy: p as RetentionPolicy, tz };
}

const RUNS = 400;

describe("retention - properties", () => {
  it("retention - every backup is either kept or pruned, exactly once", () => {
    const rnd = random(1);
    for (let i = 0; i < RUNS; i++) {
      const { backups, policy: p, tz } = scenario(rnd);
      const r = selectBackupsToPrune(backups, p, tz);
      const all = [...r.keep.map((k) => k.id), ...r.prune];
      expect(all.sort()).toEqual(backups.map((b) => b.id).sort());
    }
  });

  it("retention - the result does not depend on the input order", () => {
    const rnd = random(2);
    for (let i = 0; i < RUNS; i++) {
      const { backups, policy: p, tz } = scenario(rnd);
      const shuffled = [...backups].sort(() => rnd() - 0.5);
      expect(selectBackupsToPrune(shuffled, p, tz)).toEqual(selectBackupsToPrune(backups, p, tz));
    }
  });

  it("retention - keep-last N always keeps the N newest (distinct timestamps)", () => {
    const rnd = random(3);
    for (let i = 0; i < RUNS; i++) {
      const { policy: p, tz } = scenario(rnd);
      let time = Date.UTC(2024, 0, 1);
      const backups = Array.from({ length: 1 + Math.floor(rnd() * 30) }, (_, j) => {
        time += 60_000 * (1 + Math.floor(rnd() * 3000));
        return { id: `b${j}`, createdAt: new Date(time) };
      });
      const n = 1 + Math.floor(rnd() * 10);
      const r = selectBackupsToPrune(backups, { ...p, keepLast: n }, tz);
      const newest = [...backups].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).slice(0, n);
      expect(r.keep.slice(0, newest.length)).toEqual(newest.map((b) => ({ id: b.id, reason: "keep-last" })));
    }
  });

  it("retention - increasing any keep-* never prunes more backups, and keeps what that rule and earlier ones kept", () => {
    const rnd = random(4);
    for (let i = 0; i < RUNS * 2; i++) {
      const { backups, policy: p, tz } = scenario(rnd);
      if (RULE_KEYS.every((k) => p[k] === 0)) continue; // from keep-all any positive count prunes
      const ruleIndex = Math.floor(rnd() * RULE_KEYS.length);
      const key = RULE_KEYS[ruleIndex] as (typeof RULE_KEYS)[number];
      const bigger = { ...p, [key]: (p[key] ?? 0) + 1 + Math.floor(rnd() * 3) };
      const before = selectBackupsToPrune(backups, p, tz);
      const after = selectBackupsToPrune(backups, bigger, tz);
      expect(after.prune.length).toBeLessThanOrEqual(before.prune.length);
      const stillKept = new Set(after.keep.map((k) => k.id));
      for (const k of before.keep) {
        if (RULE_NAMES.indexOf(k.reason) <= ruleIndex) expect(stillKept.has(k.id)).toBe(true);
      }
    }
  });

  it("retention - a single rule keeps the newest backup of each of the N most recent periods", () => {
    // Independent oracle for one rule: group by period, take the N newest periods.
    const periodOf: Record<string, (d: Date, tz: string) => string> = {
      keepDaily: (d, tz) => {
        const l = localTime(d, tz);
        return `${l.year}-${l.month}-${l.day}`;
      },
      keepWeekly: (d, tz) => {
        const l = localTime(d, tz);
        return JSON.stringify(isoWeek(l.year, l.month, l.day));
      },
      keepMonthly: (d, tz) => {
        const l = localTime(d, tz);
        return `${l.year}-${l.month}`;
      },
    };
    const rnd = random(5);
    for (let i = 0; i < RUNS; i++) {
      const { backups, tz } = scenario(rnd);
      const key = Object.keys(periodOf)[Math.floor(rnd() * 3)] as "keepDaily" | "keepWeekly" | "keepMonthly";
      const n = 1 + Math.floor(rnd() * 6);
      const newestPerPeriod = new Map<string, BackupRecord>();
      for (const b of backups) {
        const period = periodOf[key]?.(b.createdAt, tz) as string;
        const cur = newestPerPeriod.get(period);
        if (!cur || b.createdAt > cur.createdAt || (+b.createdAt === +cur.createdAt && b.id < cur.id)) {
          newestPerPeriod.set(period, b);
        }
      }
      const expected = [...newestPerPeriod.values()]
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .slice(0, n)
        .map((b) => b.id)
        .sort();
      expect(kept(backups, { [key]: n }, tz)).toEqual(expected);
    }
  });
});
