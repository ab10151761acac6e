import { describe, expect, it } from "vitest";
import { makeBackupPolicy } from "../../test/fixtures";
import { bodyOf, draftOf, validatePolicy } from "./backup-policy";

const policy = makeBackupPolicy();

describe("validatePolicy", () => {
  it("accepts the policy a new app starts with", () => {
    expect(validatePolicy(draftOf(policy))).toEqual({});
  });

  it("names each field that is wrong", () => {
    const errors = validatePolicy({
      ...draftOf(policy),
      schedule: "0 3 * *",
      time_zone: " ",
      keep_daily: "1.5",
      keep_weekly: "10001",
      keep_monthly: "",
    });
    expect(errors.schedule).toMatch(/five fields/);
    expect(errors.time_zone).toMatch(/time zone/);
    expect(errors.keep_daily).toMatch(/whole number/);
    expect(errors.keep_weekly).toMatch(/at most 10000/);
    expect(errors.keep_monthly).toMatch(/whole number/);
    expect(errors.keep_last).toBeUndefined();
  });

  it("refuses characters a cron field cannot hold", () => {
    expect(validatePolicy({ ...draftOf(policy), schedule: "0 3 * * $" }).schedule).toMatch(/only hold/);
  });
});

describe("bodyOf", () => {
  it("sends numbers and a tidy schedule", () => {
    const body = bodyOf({ ...draftOf(policy), schedule: " 30  2 * * 1 ", keep_daily: " 14" });
    expect(body).toMatchObject({ schedule: "30 2 * * 1", keep_daily: 14, keep_last: 7 });
  });
});
