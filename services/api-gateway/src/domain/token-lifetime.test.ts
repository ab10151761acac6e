import { describe, expect, it } from "vitest";
import { tokenExpiry } from "./token-lifetime.js";

const policy = { defaultDays: 90, maxDays: 365 };
const now = new Date("2030-01-01T00:00:00Z");
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);

describe("token-lifetime - expiry of a new API token", () => {
  it("token-lifetime - no expiry asked: the default lifetime, never none", () => {
    expect(tokenExpiry(null, null, policy, now)).toEqual({ expiresAt: days(90) });
  });

  it("token-lifetime - an asked expiry must be in the future and within the maximum", () => {
    expect(tokenExpiry(days(10), null, policy, now)).toEqual({ expiresAt: days(10) });
    expect(tokenExpiry(days(365), null, policy, now)).toEqual({ expiresAt: days(365) });
    expect(tokenExpiry(now, null, policy, now)).toEqual({ problem: "must be in the future" });
    expect(tokenExpiry(days(366), null, policy, now)).toEqual({
      problem: "must be at most 365 days from now",
    });
  });

  it("token-lifetime - a token never outlives the token creating it", () => {
    const parent = days(1);
    expect(tokenExpiry(null, parent, policy, now)).toEqual({ expiresAt: parent });
    expect(tokenExpiry(days(0.5), parent, policy, now)).toEqual({ expiresAt: days(0.5) });
    expect(tokenExpiry(days(2), parent, policy, now)).toEqual({
      problem: "must not be later than the expiry of the token used to create it",
    });
    // A parent living longer than the default does not lengthen the child's default.
    expect(tokenExpiry(null, days(200), policy, now)).toEqual({ expiresAt: days(90) });
  });
});
