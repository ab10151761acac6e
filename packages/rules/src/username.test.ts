import { describe, expect, it } from "vitest";
import { USERNAME_MAX_LENGTH, USERNAME_PATTERN, usernameIssue } from "./username.js";

describe("usernameIssue", () => {
  it("usernameIssue - accepts letters, digits and ._- after a letter or digit, in either case", () => {
    for (const name of ["bob", "Alice", "bob.smith_2-x", "7", "a".repeat(USERNAME_MAX_LENGTH)])
      expect(usernameIssue(name), name).toBeUndefined();
  });

  it("usernameIssue - refuses empty, too long and other characters", () => {
    expect(usernameIssue("")).toBe("empty");
    expect(usernameIssue("a".repeat(USERNAME_MAX_LENGTH + 1))).toBe("too-long");
    for (const name of [".bob", "-bob", "_bob", "bob smith", "bob@corp", "bøb", "bob\n"])
      expect(usernameIssue(name), name).toBe("characters");
  });

  it("USERNAME_PATTERN - can be tested twice in a row with the same answer (no g flag)", () => {
    expect([USERNAME_PATTERN.test("bob"), USERNAME_PATTERN.test("bob")]).toEqual([true, true]);
  });
});
