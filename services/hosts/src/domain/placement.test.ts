import { describe, expect, it } from "vitest";
import { choosePlacement, type PlacementCandidate } from "./placement.js";

const GiB = 1024 ** 3;
const node = (over: Partial<PlacementCandidate>): PlacementCandidate => ({
  hostId: "h1",
  hostName: "alpha",
  hostStatus: "reachable",
  node: "pve1",
  nodeStatus: "online",
  memBytes: 0,
  maxMemBytes: 0,
  ...over,
});

describe("choosePlacement", () => {
  it("placement - picks the node with the most free memory across hosts", () => {
    expect(
      choosePlacement([
        node({ node: "pve1", memBytes: 6 * GiB, maxMemBytes: 8 * GiB }),
        node({ hostId: "h2", hostName: "beta", node: "pve9", memBytes: 1 * GiB, maxMemBytes: 8 * GiB }),
        node({ node: "pve2", memBytes: 4 * GiB, maxMemBytes: 8 * GiB }),
      ]),
    ).toEqual({ hostId: "h2", node: "pve9" });
  });

  it("placement - skips unreachable hosts and offline nodes, keeps unknown ones", () => {
    expect(
      choosePlacement([
        node({ hostStatus: "unreachable", node: "a", maxMemBytes: 64 * GiB }),
        node({ hostId: "h2", hostName: "beta", node: "b", nodeStatus: "offline", maxMemBytes: 64 * GiB }),
        node({ hostId: "h3", hostName: "gamma", hostStatus: "unknown", node: "c", nodeStatus: "unknown" }),
      ]),
    ).toEqual({ hostId: "h3", node: "c" });
  });

  it("placement - ties go to the first host name, then node name", () => {
    expect(
      choosePlacement([
        node({ hostId: "h2", hostName: "beta", node: "a" }),
        node({ node: "b" }),
        node({ node: "a2" }),
      ]),
    ).toEqual({ hostId: "h1", node: "a2" });
  });

  it("placement - nothing eligible → undefined", () => {
    expect(choosePlacement([])).toBeUndefined();
    expect(choosePlacement([node({ nodeStatus: "offline" })])).toBeUndefined();
  });
});
