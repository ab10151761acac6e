import { describe, expect, it } from "vitest";
import {
  decodeHolders,
  holderOn,
  holdersOnNode,
  hostLimitOf,
  liveHolders,
  nodeLimitOf,
  parseLimitOverrides,
  roomOnNode,
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
    expect(roomOnNode(holders, "pve1", { node: 4, host: 4 }, 2_000)).toBe(2);
    expect(roomOnNode(holders, "pve1", { node: 1, host: 4 }, 2_000)).toBe(0);
    expect(decodeHolders(new TextEncoder().encode("not json"))).toEqual({});
    expect(decodeHolders(new TextEncoder().encode('{"a":5,"b":"x"}'))).toEqual({ a: 5 });
  });

  it("slot limits - a node's room is bounded by its own holders and by all its host's", () => {
    const until = 9_000;
    const holders = {
      [holderOn("pve1", "a#1")]: until,
      [holderOn("pve1", "a#2")]: until,
      [holderOn("pve2", "b#1")]: until,
      [holderOn("pve1", "b#2")]: 1_000, // expired
    };
    expect(holdersOnNode(holders, "pve1", 2_000)).toBe(2);
    expect(holdersOnNode(holders, "pve2", 2_000)).toBe(1);
    expect(roomOnNode(holders, "pve1", { node: 3, host: 10 }, 2_000)).toBe(1);
    expect(roomOnNode(holders, "pve2", { node: 3, host: 10 }, 2_000)).toBe(2);
    expect(roomOnNode(holders, "pve2", { node: 3, host: 4 }, 2_000)).toBe(1); // the host's limit is tighter
    expect(roomOnNode(holders, "pve3", { node: 3, host: 3 }, 2_000)).toBe(0);
    // A node whose name begins like another's is not that node.
    expect(holdersOnNode(holders, "pve", 2_000)).toBe(0);
  });

  it("slot limits - a holder that names no node (an older replica's) counts against every node", () => {
    const holders = { "replica-old#4.ab12": 9_000, [holderOn("pve1", "a#1")]: 9_000 };
    expect(holdersOnNode(holders, "pve1", 2_000)).toBe(2);
    expect(holdersOnNode(holders, "pve2", 2_000)).toBe(1);
    expect(roomOnNode(holders, "pve2", { node: 1, host: 10 }, 2_000)).toBe(0);
    expect(roomOnNode(holders, "pve2", { node: 5, host: 3 }, 2_000)).toBe(1); // and against the host
  });
});
