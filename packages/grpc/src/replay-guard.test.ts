import { describe, expect, it } from "vitest";
import { createReplayGuard } from "./replay-guard.js";

describe("replay guard", () => {
  it("replay guard - admits an id once until it expires", () => {
    const guard = createReplayGuard();
    expect(guard.admit("api-gateway", "a", 160, 100)).toBe("fresh");
    expect(guard.admit("api-gateway", "a", 160, 101)).toBe("replayed");
    expect(guard.admit("api-gateway", "a", 160, 159)).toBe("replayed");
    expect(guard.admit("api-gateway", "b", 160, 159)).toBe("fresh");
  });

  it("replay guard - forgets expired ids and refuses, never forgets, when a caller's bucket is full", () => {
    const guard = createReplayGuard({ perCaller: 2 });
    expect(guard.admit("hosts", "a", 110, 100)).toBe("fresh");
    expect(guard.admit("hosts", "b", 150, 100)).toBe("fresh");
    // Full of unexpired ids: a new one is refused rather than evicting one that could be replayed.
    expect(guard.admit("hosts", "c", 150, 105)).toBe("full");
    expect(guard.admit("hosts", "a", 110, 105)).toBe("replayed");
    // Once "a" expired its place is free again.
    expect(guard.admit("hosts", "c", 150, 110)).toBe("fresh");
    expect(guard.size).toBe(2);
    expect(guard.admit("hosts", "b", 150, 120)).toBe("replayed");
  });

  it("replay guard - a caller that fills its bucket does not starve another caller", () => {
    const guard = createReplayGuard({ perCaller: 3 });
    for (const jti of ["a", "b", "c"]) expect(guard.admit("hosts", jti, 200, 100)).toBe("fresh");
    expect(guard.admit("hosts", "d", 200, 100)).toBe("full");
    expect(guard.admit("api-gateway", "e", 200, 100)).toBe("fresh");
    expect(guard.admit("api-gateway", "f", 200, 100)).toBe("fresh");
    expect(guard.size).toBe(5);
  });

  it("replay guard - ids are per caller: another caller's id does not block a token", () => {
    const guard = createReplayGuard();
    expect(guard.admit("hosts", "same-id", 200, 100)).toBe("fresh");
    expect(guard.admit("api-gateway", "same-id", 200, 100)).toBe("fresh");
    expect(guard.admit("api-gateway", "same-id", 200, 101)).toBe("replayed");
  });

  it("replay guard - refuses a capacity that is not a positive integer", () => {
    expect(() => createReplayGuard({ perCaller: 0 })).toThrow(/positive integer/);
  });
});
