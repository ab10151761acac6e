import { describe, expect, it } from "vitest";
import type { NodeStats } from "../db/host.repository.js";
import { applyCheckReport, NO_ANSWER } from "./check-report.js";

const stats = (name: string, status = "online"): NodeStats => ({
  name,
  status,
  cpu: 0.25,
  maxCpu: 8,
  memBytes: 4,
  maxMemBytes: 16,
  diskBytes: 10,
  maxDiskBytes: 100,
  uptimeSeconds: 60,
});

const host = {
  status: "reachable" as const,
  pveVersion: "8.4.1",
  nodes: [
    { name: "pve1", status: "online" },
    { name: "pve2", status: "online" },
  ],
};

describe("applyCheckReport", () => {
  it("check report - unreachable keeps nodes and version, records the error and the status change", () => {
    const outcome = applyCheckReport(host, { reachable: false, error: "", pveVersion: "", nodes: [] });
    expect(outcome).toEqual({
      host: { status: "unreachable", lastCheckError: NO_ANSWER, pveVersion: "8.4.1" },
      nodes: [],
      nodeChanges: [],
      hostChange: { previous: "reachable", status: "unreachable", reason: NO_ANSWER },
    });
  });

  it("check report - reachable updates registered nodes, unlisted ones become unknown, strangers are ignored", () => {
    const outcome = applyCheckReport(
      { ...host, status: "unknown" },
      { reachable: true, error: "", pveVersion: "9.1.3", nodes: [stats("pve1", "offline"), stats("pve9")] },
    );
    expect(outcome.host).toEqual({ status: "reachable", lastCheckError: null, pveVersion: "9.1.3" });
    expect(outcome.nodes.map((n) => [n.name, n.status, n.maxMemBytes])).toEqual([
      ["pve1", "offline", 16],
      ["pve2", "unknown", 0],
    ]);
    expect(outcome.nodeChanges).toEqual([
      { node: "pve1", previous: "online", status: "offline" },
      { node: "pve2", previous: "online", status: "unknown" },
    ]);
    expect(outcome.hostChange).toMatchObject({ previous: "unknown", status: "reachable" });
  });

  it("check report - an unchanged status is no change", () => {
    const outcome = applyCheckReport(host, {
      reachable: true,
      error: "",
      pveVersion: "8.4.1",
      nodes: [stats("pve1"), stats("pve2")],
    });
    expect(outcome.hostChange).toBeUndefined();
    expect(outcome.nodeChanges).toEqual([]);
  });
});
