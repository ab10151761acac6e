import { describe, expect, it } from "vitest";
import { requiredScopes } from "./access.js";
import { formatApiToken, newApiTokenSecret, parseApiToken } from "./api-token-format.js";
import { isValidHostname } from "./hostname.js";
import { passwordProblem } from "./password-policy.js";

describe("domain rules", () => {
  it("hostname - accepts RFC 1123 names and refuses the rest", () => {
    for (const ok of ["a", "web-1", "9lives", "app.example.com", "x".repeat(63)])
      expect(isValidHostname(ok)).toBe(true);
    for (const bad of ["", "-a", "a-", "a_b", "x".repeat(64), "a..b", "a b", `${"a.".repeat(127)}a`]) {
      expect({ bad, ok: isValidHostname(bad) }).toEqual({ bad, ok: false });
    }
  });

  it("password-policy - length bounds and no username inside", () => {
    expect(passwordProblem("short", "bob")).toMatch(/at least 12/);
    expect(passwordProblem("x".repeat(257), "bob")).toMatch(/at most 256/);
    expect(passwordProblem("my-BOB-password", "bob")).toMatch(/username/);
    expect(passwordProblem("long enough phrase", "bob")).toBeNull();
  });

  it("api-token-format - round-trips and rejects foreign strings", () => {
    const id = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";
    const secret = newApiTokenSecret();
    expect(parseApiToken(formatApiToken(id, secret))).toEqual({ id, secret });
    for (const bad of ["", "pxm_", `pxm_${id}`, `pxx_${id}_${secret}`, `pxm_${id}_${secret}x`]) {
      expect(parseApiToken(bad)).toBeNull();
    }
  });

  it("access - tokens need read for GET, write for unsafe methods, admin on admin routes", () => {
    expect(requiredScopes("GET", "user")).toEqual(["read"]);
    expect(requiredScopes("DELETE", "user")).toEqual(["write"]);
    expect(requiredScopes("POST", "admin")).toEqual(["write", "admin"]);
  });
});
