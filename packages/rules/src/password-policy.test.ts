import { describe, expect, it } from "vitest";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordIssue } from "./password-policy.js";

describe("passwordIssue", () => {
  it("passwordIssue - accepts a password within the bounds that does not contain the username", () => {
    expect(passwordIssue("correct horse battery", "bob")).toBeUndefined();
    expect(passwordIssue("x".repeat(PASSWORD_MIN_LENGTH), "bob")).toBeUndefined();
    expect(passwordIssue("x".repeat(PASSWORD_MAX_LENGTH), "bob")).toBeUndefined();
  });

  it("passwordIssue - length bounds", () => {
    expect(passwordIssue("", "bob")).toBe("empty");
    expect(passwordIssue("short", "bob")).toBe("too-short");
    expect(passwordIssue("x".repeat(PASSWORD_MIN_LENGTH - 1), "bob")).toBe("too-short");
    expect(passwordIssue("x".repeat(PASSWORD_MAX_LENGTH + 1), "bob")).toBe("too-long");
  });

  it("passwordIssue - no username inside, in any case", () => {
    expect(passwordIssue("my-BOB-password", "bob")).toBe("contains-username");
    expect(passwordIssue("my bob is a long password", "BOB")).toBe("contains-username");
  });

  it("passwordIssue - an empty username (not typed yet) is not compared", () => {
    expect(passwordIssue("long enough phrase", "")).toBeUndefined();
  });
});
