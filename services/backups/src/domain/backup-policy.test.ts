import { ValidationError } from "@proximity/errors";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_BACKUP_POLICY,
  MAX_KEEP,
  nextRunOf,
  type PolicyInput,
  parsePolicyInput,
} from "./backup-policy.js";

const input = (patch: Partial<PolicyInput> = {}): PolicyInput => ({ ...DEFAULT_BACKUP_POLICY, ...patch });

const fieldsOf = (patch: Partial<PolicyInput>): string[] => {
  try {
    parsePolicyInput(input(patch));
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).fieldErrors.map((f) => f.field);
  }
  throw new Error("accepted");
};

describe("backup policy input", () => {
  it("parsePolicyInput - the default policy is valid; empty zone, mode and compression take defaults", () => {
    const settings = parsePolicyInput(input({ timeZone: "", mode: "", compression: "" }));
    expect(settings).toMatchObject({ timeZone: "UTC", mode: "snapshot", compression: "zstd", keepLast: 7 });
    expect(settings.schedule.expression).toBe("0 3 * * *");
  });

  it("parsePolicyInput - keep counts from 0 (rule off) to the maximum; anything else names its field", () => {
    expect(() => parsePolicyInput(input({ keepLast: 0, keepYearly: MAX_KEEP }))).not.toThrow();
    expect(fieldsOf({ keepLast: -1 })).toEqual(["keep_last"]);
    expect(fieldsOf({ keepHourly: MAX_KEEP + 1 })).toEqual(["keep_hourly"]);
    expect(fieldsOf({ keepDaily: 1.5 })).toEqual(["keep_daily"]);
    expect(fieldsOf({ keepWeekly: Number.NaN, keepMonthly: -3 })).toEqual(["keep_weekly", "keep_monthly"]);
  });

  it("parsePolicyInput - schedule, zone, mode and compression are checked together", () => {
    expect(
      fieldsOf({ schedule: "* * * * *", timeZone: "Nowhere/City", mode: "x", compression: "y" }),
    ).toEqual(["schedule", "time_zone", "mode", "compression"]);
  });

  it("nextRunOf - the next slot in the policy's zone; none while disabled", () => {
    const settings = parsePolicyInput(
      input({ enabled: true, schedule: "0 3 * * *", timeZone: "Asia/Tokyo" }),
    );
    // 03:00 in Tokyo is 18:00 UTC the day before.
    expect(nextRunOf(settings, new Date("2024-05-01T12:00:00Z"))?.toISOString()).toBe(
      "2024-05-01T18:00:00.000Z",
    );
    expect(nextRunOf({ ...settings, enabled: false }, new Date())).toBeNull();
  });
});
