import { UnavailableError } from "@proximity/errors";
import { metricsRegistry } from "@proximity/metrics";
import { createBreakerRegistry } from "@proximity/proxmox";
import { afterEach, describe, expect, it } from "vitest";
import { countOperationResult, measuredLeases, watchBreakers } from "./metrics.js";
import type { VmidLeases } from "./vmid-leases.js";

const text = async (name: string) => (await metricsRegistry().getSingleMetricAsString(name)).split("\n");
const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

describe("provisioner metrics", () => {
  it("breakers - state per host on scrape (2 = open) and call latency by host and outcome", async () => {
    const breakers = createBreakerRegistry({ volumeThreshold: 1, resetTimeout: 60_000 });
    stops.push(() => breakers.shutdown(), watchBreakers(breakers));
    await breakers.fire("host-ok", async () => "fine");
    await expect(
      breakers.fire("host-down", async () => {
        throw new UnavailableError("connection refused");
      }),
    ).rejects.toThrow();
    await expect(breakers.fire("host-down", async () => "never")).rejects.toThrow(UnavailableError);

    const states = await text("proximity_provisioner_breaker_state");
    expect(states).toContain('proximity_provisioner_breaker_state{host="host-ok"} 0');
    expect(states).toContain('proximity_provisioner_breaker_state{host="host-down"} 2');
    const calls = await text("proximity_proxmox_call_seconds");
    expect(calls).toContain('proximity_proxmox_call_seconds_count{host="host-ok",outcome="ok"} 1');
    expect(calls).toContain('proximity_proxmox_call_seconds_count{host="host-down",outcome="unavailable"} 2');

    breakers.reset("host-down");
    expect((await text("proximity_provisioner_breaker_state")).some((l) => l.includes("host-down"))).toBe(
      false,
    );
  });

  it("operations - a result is counted with its kind and the delivery's duration", async () => {
    countOperationResult("deploy", "succeeded", performance.now() - 2_000);
    const lines = await text("proximity_provisioner_operation_seconds");
    expect(lines).toContain(
      'proximity_provisioner_operation_seconds_count{kind="deploy",result="succeeded"} 1',
    );
    expect(lines).toContain(
      'proximity_provisioner_operation_seconds_bucket{le="1",kind="deploy",result="succeeded"} 0',
    );
    expect(await text("proximity_provisioner_operations_total")).toContain(
      'proximity_provisioner_operations_total{kind="deploy",result="succeeded"} 1',
    );
  });

  it("leases - a VMID another operation holds counts as a conflict of its host", async () => {
    const holders = new Map<string, string>();
    // An in-memory stand-in for the KV bucket: only the decorator's counting is under test here.
    const leases: VmidLeases = {
      ttlMs: 1_000,
      claimCandidate: () => true,
      acquire: async (hostId, vmid, operationId) => {
        const key = `${hostId}.${vmid}`;
        const holder = holders.get(key);
        if (holder && holder !== operationId) return null;
        holders.set(key, operationId);
        return { hostId, vmid, revision: 1, renew: async () => {}, release: async () => {} };
      },
      releaseIfHeld: async () => {},
      holder: async (hostId, vmid) => holders.get(`${hostId}.${vmid}`) ?? null,
    };
    const measured = measuredLeases(leases);
    expect(await measured.acquire("host-a", 100, "op-1")).not.toBeNull();
    expect(await measured.acquire("host-a", 100, "op-1")).not.toBeNull();
    expect(await measured.acquire("host-a", 100, "op-2")).toBeNull();
    expect(await text("proximity_provisioner_vmid_lease_conflicts_total")).toContain(
      'proximity_provisioner_vmid_lease_conflicts_total{host="host-a"} 1',
    );
  });
});
