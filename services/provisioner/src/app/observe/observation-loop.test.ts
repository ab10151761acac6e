import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { phaseOf } from "./observation-loop.js";

describe("phaseOf", () => {
  it("phaseOf - the same for a host on every replica, in [0, 1)", () => {
    const id = randomUUID();
    expect(phaseOf(id)).toBe(phaseOf(id));
    expect(phaseOf(id)).toBeGreaterThanOrEqual(0);
    expect(phaseOf(id)).toBeLessThan(1);
  });

  it("phaseOf - a thousand hosts spread over the interval: no tenth of it holds twice its share", () => {
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 1000; i++) buckets[Math.floor(phaseOf(randomUUID()) * 10)]!++;
    expect(Math.max(...buckets)).toBeLessThan(200);
    expect(Math.min(...buckets)).toBeGreaterThan(50);
  });
});
