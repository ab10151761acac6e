import { describe, expect, it } from "vitest";
import {
  accountKeyOf,
  delayAfterAttempts,
  knownSourceHash,
  LOGIN_THROTTLE,
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

  it("login-throttle-policy - stays under 100 guesses an hour on one key (ASVS 2.2.1)", () => {
    for (const scope of Object.values(LOGIN_THROTTLE.scopes)) {
      let elapsed = 0;
      let attempts = 0;
      while (elapsed < 3_600_000) {
        attempts++;
        elapsed += delayAfterAttempts(scope, attempts);
      }
      expect(attempts).toBeLessThanOrEqual(100);
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
