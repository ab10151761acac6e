import { describe, expect, it } from "vitest";
import { environmentProblems } from "./environment-problems.js";
import { ENV_LIMITS } from "./limits.js";

describe("environmentProblems", () => {
  it("environmentProblems - an acceptable environment has no problems", () => {
    expect(environmentProblems({})).toEqual([]);
    expect(
      environmentProblems({ TZ: "Europe/Paris", EMPTY: "", PEM: "-----BEGIN-----\nabc\n", Q: `'"$\\#` }),
    ).toEqual([]);
  });

  it("environmentProblems - names are reported on environment.<NAME>", () => {
    expect(environmentProblems({ "1X": "a", DOCKER_HOST: "b", OK: "c" })).toEqual([
      {
        field: "environment.1X",
        message: "must start with a letter or _ and contain only letters, digits and _",
      },
      { field: "environment.DOCKER_HOST", message: "is reserved" },
    ]);
  });

  it("environmentProblems - a value is at most valueMaxBytes UTF-8 bytes (not characters)", () => {
    expect(environmentProblems({ A: "x".repeat(ENV_LIMITS.valueMaxBytes) })).toEqual([]);
    expect(environmentProblems({ A: "x".repeat(ENV_LIMITS.valueMaxBytes + 1) })).toEqual([
      { field: "environment.A", message: "must be at most 4096 bytes" },
    ]);
    // 2 bytes each in UTF-8: 2049 characters are 4098 bytes.
    expect(environmentProblems({ E: "é".repeat(2049) })).toEqual([
      { field: "environment.E", message: "must be at most 4096 bytes" },
    ]);
  });

  it("environmentProblems - NUL bytes and lone surrogates are refused", () => {
    expect(environmentProblems({ A: "a\0b" })).toEqual([
      { field: "environment.A", message: "must not contain a NUL byte" },
    ]);
    expect(environmentProblems({ B: "x\uD800y" })).toEqual([
      { field: "environment.B", message: "must be valid text" },
    ]);
    expect(environmentProblems({ C: "emoji 😀 is fine" })).toEqual([]);
  });

  it("environmentProblems - at most maxEntries variables", () => {
    const env = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`V${i}`, "x"]));
    expect(environmentProblems(env(ENV_LIMITS.maxEntries))).toEqual([]);
    expect(environmentProblems(env(ENV_LIMITS.maxEntries + 1))).toEqual([
      { field: "environment", message: "must have at most 50 variables" },
    ]);
  });

  it("environmentProblems - a huge name is cut in the field", () => {
    const [problem] = environmentProblems({ ["N".repeat(1000)]: "x" });
    expect(problem?.field).toBe(`environment.${"N".repeat(128)}…`);
  });

  it("environmentProblems - an own __proto__ key (as JSON.parse makes) is seen and refused", () => {
    const env = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
    expect(environmentProblems(env)).toEqual([{ field: "environment.__proto__", message: "is reserved" }]);
  });
});
