import { describe, expect, it } from "vitest";
import {
  decodeHolders,
  hostLimitOf,
  liveHolders,
  nodeLimitOf,
  parseLimitOverrides,
  roomIn,
  type SlotLimits,
} from "./slot-limits.js";

describe("slot limits", () => {
  const limits: SlotLimits = {
    node: 4,
    host: 16,
    nodeOverrides: parseLimitOverrides("h1=2, h1/pve2=1"),
    hostOverrides: parseLimitOverrides("h1=3"),
  };

  it("slot limits - a node override beats its host's, which beats the default", () => {
    expect(nodeLimitOf(limits, "h1", "pve2")).toBe(1);
    expect(nodeLimitOf(limits, "h1", "pve1")).toBe(2);
    expect(nodeLimitOf(limits, "h2", "pve1")).toBe(4);
    expect(hostLimitOf(limits, "h1")).toBe(3);
    expect(hostLimitOf(limits, "h2")).toBe(16);
  });

  it("slot limits - overrides refuse typos and zero", () => {
    expect(parseLimitOverrides(" ").size).toBe(0);
    expect(() => parseLimitOverrides("h1:2")).toThrow(/bad limit override "h1:2"/);
    expect(() => parseLimitOverrides("h1=0")).toThrow(/bad limit override/);
    expect(() => parseLimitOverrides("h1/a/b=2")).toThrow(/bad limit override/);
  });

  it("slot limits - expired holders leave room, unreadable values count as empty", () => {
    const holders = { a: 1_000, b: 3_000, c: 5_000 };
    expect(liveHolders(holders, 2_000)).toEqual({ b: 3_000, c: 5_000 });
    expect(roomIn(holders, 4, 2_000)).toBe(2);
    expect(roomIn(holders, 1, 2_000)).toBe(0);
    expect(decodeHolders(new TextEncoder().encode("not json"))).toEqual({});
    expect(decodeHolders(new TextEncoder().encode('{"a":5,"b":"x"}'))).toEqual({ a: 5 });
  });
});
