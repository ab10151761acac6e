import { describe, expect, it } from "vitest";
import {
  accountKeyOf,
  delayAfterAttempts,
  knownSourceHash,
  LOGIN_THROTTLE,
  leakFailures,
  retryAfterSeconds,
  throttleKeys,
} from "./login-throttle-policy.js";

describe("login-throttle-policy", () => {
  const pair = LOGIN_THROTTLE.scopes.pair;

  it("login-throttle-policy - free attempts, then a delay doubling from the base up to the cap", () => {
    expect([1, 2, 3, 4].map((n) => delayAfterAttempts(pair, n))).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8].map((n) => delayAfterAttempts(pair, n))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(delayAfterAttempts(pair, 11)).toBe(60_000);
    expect(delayAfterAttempts(pair, 10_000)).toBe(60_000);
  });

  it("login-throttle-policy - forgetting takes longer than the longest delay (no wait is cut short)", () => {
    for (const scope of Object.values(LOGIN_THROTTLE.scopes)) {
      expect(LOGIN_THROTTLE.forgetAfterMs).toBeGreaterThan(scope.maxDelayMs);
    }
  });

  it("login-throttle-policy - a key leaks no faster than one failure per longest delay", () => {
    for (const scope of Object.values(LOGIN_THROTTLE.scopes)) {
      expect(scope.leakMs).toBeGreaterThanOrEqual(scope.maxDelayMs);
    }
  });

  it("login-throttle-policy - failures leak one per period, keep the running period, and restart from zero", () => {
    const leakMs = 60_000;
    expect(leakFailures({ attempts: 5, countedAt: 0 }, 59_999, leakMs)).toEqual({
      attempts: 5,
      countedAt: 0,
    });
    expect(leakFailures({ attempts: 5, countedAt: 0 }, 150_000, leakMs)).toEqual({
      attempts: 3,
      countedAt: 120_000,
    });
    expect(leakFailures({ attempts: 2, countedAt: 0 }, 600_000, leakMs)).toEqual({
      attempts: 0,
      countedAt: 600_000,
    });
  });

  it("login-throttle-policy - stays under 100 guesses an hour on one key, leak included (ASVS 2.2.1)", () => {
    for (const [name, scope] of Object.entries(LOGIN_THROTTLE.scopes)) {
      // A guesser who tries again the moment each delay ends, for two hours.
      let now = 0;
      let count = { attempts: 0, countedAt: 0 };
      const times: number[] = [];
      while (now < 2 * 3_600_000) {
        count = leakFailures(count, now, scope.leakMs);
        count = { ...count, attempts: count.attempts + 1 };
        times.push(now);
        now += delayAfterAttempts(scope, count.attempts);
      }
      const firstHour = times.filter((t) => t < 3_600_000).length;
      const secondHour = times.length - firstHour;
      expect({ name, firstHour: firstHour <= 100, secondHour: secondHour <= 61 }).toEqual({
        name,
        firstHour: true,
        secondHour: true,
      });
    }
  });

  it("login-throttle-policy - a known source skips the account key; keys are locked in one order", () => {
    const source = { account: accountKeyOf("Alice"), address: "203.0.113.7" };
    expect(throttleKeys(source, false).map((k) => k.scope)).toEqual(["account", "address", "pair"]);
    expect(throttleKeys(source, true).map((k) => k.scope)).toEqual(["address", "pair"]);
    const [account, address, forPair] = throttleKeys(source, false);
    expect(account!.keyHash).toBe(throttleKeys({ ...source, account: "alice" }, false)[0]!.keyHash);
    expect(address!.keyHash).toBe(throttleKeys({ ...source, account: "bob" }, false)[1]!.keyHash);
    expect(forPair!.keyHash).not.toBe(throttleKeys({ ...source, account: "bob" }, false)[2]!.keyHash);
    for (const key of throttleKeys(source, false)) expect(key.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(knownSourceHash(source)).not.toBe(knownSourceHash({ ...source, address: "203.0.113.8" }));
  });

  it("login-throttle-policy - Retry-After is whole seconds, at least one", () => {
    const now = new Date("2030-01-01T00:00:00Z");
    expect(retryAfterSeconds(new Date(now.getTime() + 1_200), now)).toBe(2);
    expect(retryAfterSeconds(new Date(now.getTime() - 5_000), now)).toBe(1);
  });
});
