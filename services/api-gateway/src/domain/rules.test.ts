import { describe, expect, it } from "vitest";
import { requiredScopes } from "./access.js";
import { formatApiToken, newApiTokenSecret, parseApiToken } from "./api-token-format.js";
import { hostnameProblem } from "./hostname.js";
import { passwordProblem } from "./password-policy.js";

describe("domain rules", () => {
  // The rules themselves are @proximity/rules' (and tested there); these are the API's words.
  it("hostname - says what is wrong: empty, too long, upper case, a part's length or characters", () => {
    expect(hostnameProblem("web-1")).toBeUndefined();
    expect(hostnameProblem("Web-1")).toBe("must be lower-case");
    expect(hostnameProblem("")).toBe("is required");
    expect(hostnameProblem(`${"a.".repeat(127)}a`)).toBe("must be at most 253 characters");
    expect(hostnameProblem("x".repeat(64))).toBe("each label (between dots) must be 1–63 characters");
    expect(hostnameProblem("a..b")).toBe("each label (between dots) must be 1–63 characters");
    for (const bad of ["-a", "a_b", "a b"])
      expect({ bad, problem: hostnameProblem(bad) }).toEqual({
        bad,
        problem: "labels may only contain a-z, 0-9 and '-', and may not start or end with '-'",
      });
  });

  it("password-policy - each way a password fails, in the API's words", () => {
    expect(passwordProblem("", "bob")).toBe("must be at least 12 characters");
    expect(passwordProblem("short", "bob")).toBe("must be at least 12 characters");
    expect(passwordProblem("x".repeat(257), "bob")).toBe("must be at most 256 characters");
    expect(passwordProblem("my-BOB-password", "bob")).toBe("must not contain the username");
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
