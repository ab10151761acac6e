import { randomUUID } from "node:crypto";
import { newTraceparent } from "@proximity/bus";
import { NotFoundError, type ProximityError, ValidationError } from "@proximity/errors";
import { testLogger } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateBackupPolicy } from "../src/app/update-backup-policy.js";
import { nextRun, parseSchedule } from "../src/domain/schedule.js";
import { createApplicationsPeer } from "../src/infra/applications-peer.js";
import { as, type Harness, newUser, policyRequest, startHarness } from "./support/harness.js";

let h: Harness;
const USER = newUser();
const OTHER = newUser();
const ADMIN = newUser(true);

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

async function refusal(promise: Promise<unknown>): Promise<ProximityError> {
  try {
    await promise;
  } catch (err) {
    return err as ProximityError;
  }
  throw new Error("the call was accepted");
}

describe("UpdateBackupPolicy", () => {
  it("replaces the policy and computes the next run in the policy's time zone", async () => {
    const app = await h.deployedApp(USER);
    const before = new Date();
    const { policy } = await h.gateway.updateBackupPolicy(
      policyRequest(app.id, {
        schedule: "30 2 * * 1-5",
        timeZone: "Europe/Berlin",
        mode: "suspend",
        compression: "lzo",
        keepLast: 0,
        keepHourly: 1,
        keepDaily: 7,
        keepWeekly: 4,
        keepMonthly: 12,
        keepYearly: 2,
      }),
      as(USER),
    );
    expect(policy).toMatchObject({
      appId: app.id,
      enabled: true,
      schedule: "30 2 * * 1-5",
      timeZone: "Europe/Berlin",
      mode: "suspend",
      compression: "lzo",
      keepLast: 0,
      keepHourly: 1,
      keepDaily: 7,
      keepWeekly: 4,
      keepMonthly: 12,
      keepYearly: 2,
    });
    const expected = nextRun(parseSchedule("30 2 * * 1-5"), before, "Europe/Berlin");
    expect(Math.abs(policy!.nextRunAt!.getTime() - expected.getTime())).toBeLessThan(1_000 * 60);
    expect(
      new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/Berlin",
        hour: "2-digit",
        minute: "2-digit",
      }).format(policy!.nextRunAt!),
    ).toBe("02:30");
    expect((await h.gateway.getBackupPolicy({ appId: app.id }, as(USER))).policy).toEqual(policy);

    const { policy: off } = await h.gateway.updateBackupPolicy(
      policyRequest(app.id, { enabled: false }),
      as(USER),
    );
    expect(off?.enabled).toBe(false);
    expect(off?.nextRunAt).toBeUndefined();
  });

  it("defaults for empty time zone, mode and compression", async () => {
    const app = await h.deployedApp(USER);
    const { policy } = await h.gateway.updateBackupPolicy(
      policyRequest(app.id, { timeZone: "", mode: "", compression: "" }),
      as(USER),
    );
    expect(policy).toMatchObject({ timeZone: "UTC", mode: "snapshot", compression: "zstd" });
  });

  it("bad values - 400 naming every bad field; nothing changes", async () => {
    const app = await h.deployedApp(USER);
    const err = await refusal(
      h.gateway.updateBackupPolicy(
        policyRequest(app.id, {
          schedule: "*/5 * * * *",
          timeZone: "Mars/Olympus_Mons",
          mode: "fast",
          compression: "xz",
          keepLast: -1,
          keepDaily: 10_001,
        }),
        as(USER),
      ),
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors.map((f) => f.field)).toEqual([
      "schedule",
      "time_zone",
      "mode",
      "compression",
      "keep_last",
      "keep_daily",
    ]);
    expect(err.fieldErrors[0]!.message).toMatch(/at most every 15 minutes/);
    for (const [schedule, message] of [
      ["0 3 * *", /5 fields/],
      ["0 25 * * *", /hour/],
      ["0 0 30 2 *", /never runs/],
    ] as const) {
      const bad = await refusal(h.gateway.updateBackupPolicy(policyRequest(app.id, { schedule }), as(USER)));
      expect(bad.fieldErrors).toEqual([{ field: "schedule", message: expect.stringMatching(message) }]);
    }
    expect((await h.gateway.getBackupPolicy({ appId: app.id }, as(USER))).policy).toMatchObject({
      enabled: false,
      schedule: "0 3 * * *",
    });
  });

  /** The use-case behind PUT, as of `now` (the RPC always uses the present). */
  async function saveAt(now: string, appId: string, patch: Parameters<typeof policyRequest>[1]) {
    const applications = createApplicationsPeer(h.applications.address, h.keys);
    try {
      const caller = { user: USER, traceparent: newTraceparent(), log: testLogger("policies") };
      return await updateBackupPolicy(
        { db: h.db, applications },
        appId,
        policyRequest(appId, patch),
        caller,
        new Date(now),
      );
    } finally {
      applications.close();
    }
  }

  it("a schedule cron-parser cannot follow across a clock change (Lord Howe, 29 March 2025) - saved with the right next run, not a 500", async () => {
    const app = await h.deployedApp(USER);
    const policy = await saveAt("2025-03-29T16:15:00Z", app.id, {
      schedule: "15 3 * * 0",
      timeZone: "Australia/Lord_Howe",
    });
    // 03:15 on Sunday 6 April, after the change (+10:30).
    expect(policy.nextRunAt?.toISOString()).toBe("2025-04-05T16:45:00.000Z");
  });

  it("a schedule whose next run cannot be worked out - a ValidationError (400) naming schedule in plain words, not a 500", async () => {
    const app = await h.deployedApp(USER);
    // 29 February never comes again before the end of JavaScript's calendar (September 275760).
    const err = await refusal(saveAt("+275760-03-01T00:00:00Z", app.id, { schedule: "0 0 29 2 *" }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors).toEqual([
      {
        field: "schedule",
        message: "its next run cannot be worked out in time zone UTC; choose another time or time zone",
      },
    ]);
  });

  it("ownership - another user NotFound, an admin may; a deleted or unknown app is NotFound for everyone", async () => {
    const app = await h.deployedApp(USER);
    await expect(h.gateway.updateBackupPolicy(policyRequest(app.id), as(OTHER))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(
      (await h.gateway.updateBackupPolicy(policyRequest(app.id, { keepLast: 3 }), as(ADMIN))).policy
        ?.keepLast,
    ).toBe(3);
    await expect(h.gateway.updateBackupPolicy(policyRequest(randomUUID()), as(ADMIN))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await h.db
      .updateTable("app_owners")
      .set({ deleted_at: new Date() })
      .where("app_id", "=", app.id)
      .execute();
    await expect(h.gateway.updateBackupPolicy(policyRequest(app.id), as(ADMIN))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(h.gateway.updateBackupPolicy(policyRequest(app.id), as(USER))).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("an app deployed a moment ago, whose events have not arrived - the applications service is asked, as the caller", async () => {
    const app = h.applications.addApp(USER.id);
    // Another user asking first learns nothing and records nothing: the applications service says 404.
    await expect(h.gateway.getBackupPolicy({ appId: app.id }, as(OTHER))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await h.db.selectFrom("app_owners").selectAll().where("app_id", "=", app.id).execute()).toEqual(
      [],
    );
    const { policy } = await h.gateway.updateBackupPolicy(policyRequest(app.id, { keepLast: 4 }), as(USER));
    expect(policy).toMatchObject({ appId: app.id, enabled: true, keepLast: 4 });
    const lookups = () =>
      h.applications.calls.filter((c) => c.method === "getApp" && c.request.id === app.id);
    expect(lookups().map((c) => c.user?.id)).toEqual([OTHER.id, USER.id]);
    // Known now: later requests do not ask again.
    await h.gateway.getBackupPolicy({ appId: app.id }, as(USER));
    expect(lookups()).toHaveLength(2);
  });
});
