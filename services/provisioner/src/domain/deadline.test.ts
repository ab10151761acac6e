import { describe, expect, it } from "vitest";
import { deadlinePassed } from "./deadline.js";

const NOW = new Date("2025-01-01T12:00:00Z");

describe("deadlinePassed", () => {
  it("deadlinePassed - only a deadline before now has passed", () => {
    expect(deadlinePassed(new Date(NOW.getTime() - 1), NOW)).toBe(true);
    expect(deadlinePassed(NOW, NOW)).toBe(false);
    expect(deadlinePassed(new Date(NOW.getTime() + 60_000), NOW)).toBe(false);
  });

  it("deadlinePassed - a request without a deadline (an older producer) never passes it", () => {
    expect(deadlinePassed(undefined, NOW)).toBe(false);
  });
});
