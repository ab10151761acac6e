import { describe, expect, it } from "vitest";
import { createReplayGuard } from "./replay-guard.js";

describe("replay guard", () => {
  it("replay guard - admits an id once until it expires", () => {
    const guard = createReplayGuard();
    expect(guard.admit("a", 160, 100)).toBe("fresh");
    expect(guard.admit("a", 160, 101)).toBe("replayed");
    expect(guard.admit("a", 160, 159)).toBe("replayed");
    expect(guard.admit("b", 160, 159)).toBe("fresh");
  });

  it("replay guard - forgets expired ids and refuses, never forgets, when full", () => {
    const guard = createReplayGuard(2);
    expect(guard.admit("a", 110, 100)).toBe("fresh");
    expect(guard.admit("b", 150, 100)).toBe("fresh");
    // Full of unexpired ids: a new one is refused rather than evicting one that could be replayed.
    expect(guard.admit("c", 150, 105)).toBe("full");
    expect(guard.admit("a", 110, 105)).toBe("replayed");
    // Once "a" expired its place is free again.
    expect(guard.admit("c", 150, 110)).toBe("fresh");
    expect(guard.size).toBe(2);
    expect(guard.admit("b", 150, 120)).toBe("replayed");
  });
});
