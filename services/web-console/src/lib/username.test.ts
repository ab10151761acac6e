import { describe, expect, it } from "vitest";
import { passwordProblem } from "./password-policy";
import { usernameProblem } from "./username";

// The rules are @proximity/rules' (the gateway's too; tested there): these are the console's words.
describe("account rules", () => {
  it("says in plain words why a username would be refused", () => {
    expect(usernameProblem("")).toBe("Enter a username.");
    expect(usernameProblem("bob smith")).toMatch(/letters, digits/);
    expect(usernameProblem(".bob")).toMatch(/starting with a letter or digit/);
    expect(usernameProblem("a".repeat(65))).toMatch(/at most 64/);
    expect(usernameProblem("bob.smith_2-x")).toBeUndefined();
  });

  it("says in plain words why a password would be refused", () => {
    expect(passwordProblem("", "bob")).toBe("Enter a password.");
    expect(passwordProblem("short", "bob")).toMatch(/at least 12/);
    expect(passwordProblem("x".repeat(257), "bob")).toMatch(/at most 256/);
    expect(passwordProblem("my BOB is a long password", "bob")).toMatch(/username/);
    expect(passwordProblem("correct horse battery", "bob")).toBeUndefined();
  });
});
