import { describe, expect, it } from "vitest";
import { expiryBounds, expiryOf } from "./token-expiry";

describe("token expiry", () => {
  it("offers dates from tomorrow to within the API's 365 days", () => {
    const now = new Date(2025, 0, 31, 15, 30);
    expect(expiryBounds(now)).toEqual({ min: "2025-02-01", max: "2026-01-30" });
  });

  it("reads a date as the start of that day, and no date as the default lifetime", () => {
    expect(expiryOf("2025-03-01")).toBe(new Date(2025, 2, 1).toISOString());
    expect(expiryOf("")).toBeUndefined();
  });
});
