import { describe, expect, it } from "vitest";
import { ENVIRONMENT_MAX_ENTRIES, environmentProblems, hostnameProblem } from "./app-input.js";

describe("hostnameProblem", () => {
  it.each(["a", "web", "my-app-1", "app.example.com", "x".repeat(63), `${"a".repeat(63)}.${"b".repeat(63)}`])(
    "hostname - accepts %s",
    (hostname) => {
      expect(hostnameProblem(hostname)).toBeUndefined();
    },
  );

  it.each([
    ["", "is required"],
    ["My-App", "must be lower-case"],
    ["-app", "may not start or end with '-'"],
    ["app-", "may not start or end with '-'"],
    ["app_1", "may only contain"],
    ["app..example", "1–63 characters"],
    [".app", "1–63 characters"],
    ["x".repeat(64), "1–63 characters"],
    [Array.from({ length: 5 }, () => "a".repeat(60)).join("."), "at most 253"],
  ])("hostname - refuses %j", (hostname, expected) => {
    expect(hostnameProblem(hostname)).toContain(expected);
  });
});

describe("environmentProblems", () => {
  it("environment - accepts well-formed variables", () => {
    expect(environmentProblems({ TZ: "UTC", _PRIVATE: "1", DB_PORT_2: "5432" })).toEqual([]);
  });

  it("environment - names each bad key", () => {
    const problems = environmentProblems({ lower: "x", "1ABC": "x", "A-B": "x", GOOD: "x" });
    expect(problems.map((p) => p.field)).toEqual([
      "environment.lower",
      "environment.1ABC",
      "environment.A-B",
    ]);
  });

  it("environment - refuses values over 4 KiB counted in bytes", () => {
    expect(environmentProblems({ OK: "x".repeat(4096) })).toEqual([]);
    // 2 049 two-byte characters are 4 098 bytes.
    expect(environmentProblems({ BIG: "é".repeat(2049) })).toEqual([
      { field: "environment.BIG", message: "values must be at most 4 KiB" },
    ]);
  });

  it("environment - refuses more than 50 entries", () => {
    const env = Object.fromEntries(
      Array.from({ length: ENVIRONMENT_MAX_ENTRIES + 1 }, (_, i) => [`V${i}`, "x"]),
    );
    expect(environmentProblems(env)).toEqual([{ field: "environment", message: "at most 50 variables" }]);
  });
});
