import { describe, expect, it } from "vitest";
import { HOSTNAME_MAX_LENGTH, HOSTNAME_PART_MAX_LENGTH, hostnameIssue } from "./hostname.js";

describe("hostnameIssue", () => {
  it.each([
    "a",
    "web",
    "my-app-1",
    "1password",
    "app.example.com",
    "wiki-2.home",
    "x".repeat(HOSTNAME_PART_MAX_LENGTH),
    `${"a".repeat(63)}.${"b".repeat(63)}`,
    // 253 characters exactly: 127 one-letter parts.
    `${"a.".repeat(126)}a`,
  ])("hostnameIssue - accepts %s", (hostname) => {
    expect(hostnameIssue(hostname)).toBeUndefined();
  });

  it.each([
    ["", "empty"],
    [`${"a.".repeat(127)}a`, "too-long"],
    [Array.from({ length: 5 }, () => "a".repeat(60)).join("."), "too-long"],
    ["my app", "space"],
    ["wiki\t", "space"],
    ["Wiki", "upper-case"],
    ["My-App", "upper-case"],
    ["wiki.HOME", "upper-case"],
    ["x".repeat(HOSTNAME_PART_MAX_LENGTH + 1), "part-length"],
    ["app..example", "part-length"],
    [".app", "part-length"],
    ["app.", "part-length"],
    ["-app", "part-characters"],
    ["app-", "part-characters"],
    ["app_1", "part-characters"],
    ["wiki/1", "part-characters"],
    ["wïki", "part-characters"],
  ] as const)("hostnameIssue - refuses %j: %s", (hostname, issue) => {
    expect(hostnameIssue(hostname)).toBe(issue);
  });

  it("hostnameIssue - the whole name is bounded before its parts are looked at", () => {
    const long = "a".repeat(HOSTNAME_MAX_LENGTH + 1);
    expect(hostnameIssue(long)).toBe("too-long");
    expect(hostnameIssue(long.toUpperCase())).toBe("too-long");
  });
});
