import { createLogger } from "@proximity/logger";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { VmidLease } from "../../infra/vmid-leases.js";
import type { Attempt } from "./context.js";
import { OwnershipLostError } from "./errors.js";
import { keepOwnership } from "./keep-ownership.js";

const renewClaim = vi.hoisted(() => vi.fn(async () => true));
vi.mock("../../db/operation.repository.js", () => ({ renewClaim }));

const log = createLogger({ service: "test", level: "silent" });

function attemptWith(lease: Partial<VmidLease>): Attempt {
  return {
    deps: { db: {}, workerId: "worker-1", settings: { claimTtlMs: 300, leaseTtlMs: 300 } },
    request: { operationId: "op-1" },
    claim: "worker-1/claim",
    log,
    lease: lease as VmidLease,
  } as unknown as Attempt;
}

/** Keeps ownership of an attempt holding `lease` for `ms` (fake timers); answers its controller. */
async function keptFor(lease: Partial<VmidLease>, ms: number): Promise<AbortController> {
  const controller = new AbortController();
  const stop = keepOwnership(attemptWith(lease), controller);
  await vi.advanceTimersByTimeAsync(ms);
  stop();
  return controller;
}

afterEach(() => {
  vi.useRealTimers();
  renewClaim.mockReset();
  renewClaim.mockResolvedValue(true);
});

describe("keepOwnership", () => {
  it("keepOwnership - a lease renewal waiting on NATS does not hold back the claim's renewals", async () => {
    vi.useFakeTimers();
    let leaseRenewals = 0;
    const renew = () => {
      leaseRenewals++;
      return new Promise<void>(() => undefined); // NATS never answers
    };
    await keptFor({ renew }, 1_000); // ten ticks of 100 ms
    expect(renewClaim.mock.calls.length).toBeGreaterThanOrEqual(9);
    expect(leaseRenewals).toBe(1); // the one waiting is not started again meanwhile
  });

  it("keepOwnership - a lost lease aborts the attempt; a transient error does not", async () => {
    vi.useFakeTimers();
    const transient = await keptFor({ renew: () => Promise.reject(new Error("503")) }, 250);
    expect(transient.signal.aborted).toBe(false);

    const lost = await keptFor(
      { renew: () => Promise.reject(new OwnershipLostError("The lease on VMID 100 was lost")) },
      150,
    );
    expect(lost.signal.reason).toBeInstanceOf(OwnershipLostError);
  });
});
