import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./backoff.js";

describe("retryDelayMs", () => {
  it("retryDelayMs - doubles per attempt and never exceeds the cap", () => {
    const mid = () => 0.5; // no jitter
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => retryDelayMs(a, 1_000, 30_000, mid))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    for (let a = 1; a < 50; a++) expect(retryDelayMs(a, 1_000, 30_000)).toBeLessThanOrEqual(30_000);
  });

  it("retryDelayMs - jitter stays within ±20 %", () => {
    expect(retryDelayMs(3, 1_000, 30_000, () => 0)).toBe(3_200);
    expect(retryDelayMs(3, 1_000, 30_000, () => 0.999_999)).toBe(4_800);
  });
});
