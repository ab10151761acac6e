import { describe, expect, it } from "vitest";
import { hostnameProblem } from "./app-input.js";

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
