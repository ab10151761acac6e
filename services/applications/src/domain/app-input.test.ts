import { describe, expect, it } from "vitest";
import { hostnameProblem } from "./app-input.js";

// The rule is @proximity/rules' (and tested there); these are the service's words for it.
describe("hostnameProblem", () => {
  it("hostname - accepts what the rule accepts", () => {
    expect(hostnameProblem("app.example.com")).toBeUndefined();
  });

  it.each([
    ["", "is required"],
    ["My-App", "must be lower-case"],
    ["-app", "labels may only contain a-z, 0-9 and '-', and may not start or end with '-'"],
    ["app_1", "labels may only contain a-z, 0-9 and '-', and may not start or end with '-'"],
    ["my app", "labels may only contain a-z, 0-9 and '-', and may not start or end with '-'"],
    ["app..example", "each label (between dots) must be 1–63 characters"],
    ["x".repeat(64), "each label (between dots) must be 1–63 characters"],
    [Array.from({ length: 5 }, () => "a".repeat(60)).join("."), "must be at most 253 characters"],
  ])("hostname - refuses %j: %s", (hostname, expected) => {
    expect(hostnameProblem(hostname)).toBe(expected);
  });
});
