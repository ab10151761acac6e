import { describe, expect, it } from "vitest";
import { runChaos } from "../src/run-chaos.js";

const sum = (x: Record<string, number>) => Object.values(x).reduce((s, n) => s + n, 0);

describe("chaos", () => {
  it("chaos - 20 deploys with life-cycle actions, a provisioner replica killed -9 twice, 20 % of Proxmox calls failing: every operation ends, nothing leaks", async () => {
    const r = await runChaos({
      deploys: 20,
      users: 2,
      concurrency: 20,
      replicas: 3,
      faultRate: 0.2,
      killEveryMs: 2_000,
      maxKills: 2,
      settleMs: 90_000,
      actionWaitMs: 60_000,
    });
    const a = r.audit;
    // Every deploy was answered: accepted, or refused with a reason (a host flagged unreachable).
    expect((r.workload.accepted.deploy ?? 0) + (r.workload.refused.deploy ?? 0)).toBe(20);
    expect(r.workload.accepted.deploy ?? 0).toBeGreaterThan(0);
    expect(r.workload.failed).toEqual({});
    expect(r.killer.kills).toBe(2);
    expect(sum(r.faultHits)).toBeGreaterThan(0);
    expect(r.settled).toBe(true);
    expect(a.operations).toBeGreaterThanOrEqual(r.workload.accepted.deploy ?? 0);
    expect(a.terminal).toBe(a.operations);
    expect(a.stuck).toEqual({ apps: 0, appOperations: 0, provisionerOperations: 0, backups: 0 });
    expect(a.duplicateVmids).toBe(0);
    expect(a.orphanContainers).toBe(0);
    expect(a.appsWithoutContainer).toBe(0);
    expect(a.leakedPorts).toBe(0);
    // A request is dead-lettered only when its operation failed after its last attempt.
    expect(a.deadLetters).toBeLessThanOrEqual(a.failedOperations);
    expect(a.examples).toEqual([]);
  }, 300_000);
});
