import { describe, expect, it } from "vitest";
import { passwordProblem } from "./password-policy";
import { usernameProblem } from "./username";

describe("account rules", () => {
  it("refuses the usernames the gateway refuses, in plain words", () => {
    expect(usernameProblem("")).toBe("Enter a username.");
    expect(usernameProblem("bob smith")).toMatch(/letters, digits/);
    expect(usernameProblem(".bob")).toMatch(/starting with a letter or digit/);
    expect(usernameProblem("a".repeat(65))).toMatch(/at most 64/);
    expect(usernameProblem("bob.smith_2-x")).toBeUndefined();
  });

  it("refuses the passwords the gateway refuses", () => {
    expect(passwordProblem("", "bob")).toBe("Enter a password.");
    expect(passwordProblem("short", "bob")).toMatch(/at least 12/);
    expect(passwordProblem("my BOB is a long password", "bob")).toMatch(/username/);
    expect(passwordProblem("correct horse battery", "bob")).toBeUndefined();
  });
});
