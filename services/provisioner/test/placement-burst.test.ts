/**
 * Many deploys placed on one host at once (per-node limits raised so they all place together):
 * each gets its own VMID on its first attempt, without asking NATS for a VMID another placement
 * of this process is trying or holds. Before the in-process claims, 40 placements walked the same
 * candidates in the same order and those past the 32nd failed their attempt ("No free VMID").
 */
import { metricsRegistry } from "@proximity/metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, startHarness } from "./support/harness.js";

const DEPLOYS = 40;
let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    { PROVISIONER_NODE_CONCURRENCY: "64", PROVISIONER_HOST_CONCURRENCY: "128" },
    { simulator: { taskDurationMs: 200, commandDurationMs: 0 } },
  );
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** Lease refusals counted so far on the test host (proximity_provisioner_vmid_lease_conflicts_total). */
async function leaseConflicts(): Promise<number> {
  const text = await metricsRegistry().getSingleMetricAsString(
    "proximity_provisioner_vmid_lease_conflicts_total",
  );
  const line = text.split("\n").find((l) => l.includes(`host="${HOST_ID}"`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

describe("placement burst", () => {
  it(`placement - ${DEPLOYS} deploys on one host at once: distinct VMIDs, each on its first attempt, no lease refused`, {
    timeout: 120_000,
  }, async () => {
    const conflictsBefore = await leaseConflicts();
    const requests = Array.from({ length: DEPLOYS }, () => h.deployRequest());
    await Promise.all(requests.map((r) => h.publish(r)));
    const outcomes = await Promise.all(requests.map((r) => h.outcome(r.operationId, 90_000)));
    expect(outcomes.map((o) => o.type)).toEqual(requests.map(() => "succeeded"));
    const vmids = outcomes.map((o) => o.payload.vmid as number);
    expect(new Set(vmids).size).toBe(DEPLOYS);
    const rows = await h.db
      .selectFrom("operations")
      .select(["id", "attempts"])
      .where(
        "id",
        "in",
        requests.map((r) => r.operationId),
      )
      .execute();
    expect(rows.map((r) => r.attempts)).toEqual(requests.map(() => 1));
    expect(await leaseConflicts()).toBe(conflictsBefore);
  });
});
