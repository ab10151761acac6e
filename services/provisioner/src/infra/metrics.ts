/**
 * The provisioner's own metrics. Breaker states are read on scrape and VMID lease conflicts and
 * operations in progress counted by thin wrappers here; Proxmox call latency is the breaker
 * registry's (packages/proxmox) and operation results are counted where the runner knows them
 * (run-operation). Labels: host ids (bounded, admins add hosts), operation kinds and request names
 * (fixed in code); never app or user ids.
 */
import type { Subscription } from "@proximity/bus";
import { counter, gauge, gaugeFromSources, histogram } from "@proximity/metrics";
import type { BreakerRegistry, BreakerState } from "@proximity/proxmox";
import type { VmidLeases } from "./vmid-leases.js";

/** 0 closed, 1 half-open, 2 open: alerting on `== 2` needs no string matching. */
const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, halfOpen: 1, open: 2 };

export const breakerState = gaugeFromSources({
  name: "proximity_provisioner_breaker_state",
  help: "Circuit breaker of a Proxmox host on this replica: 0 closed, 1 half-open, 2 open",
  labelNames: ["host"],
});

export const vmidLeaseConflicts = counter({
  name: "proximity_provisioner_vmid_lease_conflicts_total",
  help: "VMID leases refused because another operation held the VMID (the next candidate is tried)",
  labelNames: ["host"],
});

export const guestListings = counter({
  name: "proximity_provisioner_guest_listings_total",
  help: "Listings of a host's guests fetched for placements (the others shared one: GUEST_LIST_MAX_AGE_MS); failed ones are not counted",
  labelNames: ["host"],
});

export const operationsFinished = counter({
  name: "proximity_provisioner_operations_total",
  help: "Operations this replica brought to an end, by kind and result (succeeded, failed)",
  labelNames: ["kind", "result"],
});

export const hostSessionUses = counter({
  name: "proximity_provisioner_host_sessions_total",
  help: "Operations' connections to a host: opened a session (its credentials read from the secrets service) or reused one",
  labelNames: ["session"],
});

export const hostRecordReads = counter({
  name: "proximity_provisioner_host_record_reads_total",
  help: "Operations that read their host's record from the hosts service (the others used the one this replica kept)",
  labelNames: [],
});

export const hostRecordDrops = counter({
  name: "proximity_provisioner_host_record_drops_total",
  help: "Host records this replica stopped keeping: the host changed (HostConnectionChanged), an attempt on it failed, or an operation refused on it read it again",
  labelNames: ["reason"],
});

export const hostConnectionChanges = counter({
  name: "proximity_provisioner_host_connection_changes_total",
  help: "HostConnectionChanged events this replica handled",
  labelNames: [],
});

export const operationsInProgress = gauge({
  name: "proximity_provisioner_operations_in_progress",
  help: "Operation requests being handled by this replica (waiting for a slot included), by request",
  labelNames: ["request"],
});

export const operationSeconds = histogram({
  name: "proximity_provisioner_operation_seconds",
  help: "Time one delivery of an operation request took on this replica, by kind and result",
  labelNames: ["kind", "result"],
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600],
});

/** The breakers' states on each scrape; returns the function that stops reporting them. */
export function watchBreakers(breakers: BreakerRegistry): () => void {
  return breakerState.add(async () =>
    Object.entries(breakers.snapshot()).map(([host, snapshot]) => ({
      labels: { host },
      value: BREAKER_STATE_VALUE[snapshot.state],
    })),
  );
}

/** The same leases, counting the acquisitions another operation won. */
export function measuredLeases(leases: VmidLeases): VmidLeases {
  return {
    ttlMs: leases.ttlMs,
    acquire: async (hostId, vmid, operationId, signal) => {
      const lease = await leases.acquire(hostId, vmid, operationId, signal);
      if (lease === null) vmidLeaseConflicts.inc({ host: hostId });
      return lease;
    },
    claimCandidate: (hostId, vmid) => leases.claimCandidate(hostId, vmid),
    releaseIfHeld: (hostId, vmid, operationId) => leases.releaseIfHeld(hostId, vmid, operationId),
    holder: (hostId, vmid) => leases.holder(hostId, vmid),
  };
}

/**
 * The same operation subscription, measured: in progress while its handler runs (waiting for a
 * slot included). Results are counted by the runner (countOperationResult), which knows them.
 */
export function measuredOperations<R extends { readonly operationId: string }>(
  sub: Subscription<R>,
): Subscription<R> {
  const request = sub.event.subject.split(".").pop() ?? "unknown";
  const track = async (work: () => Promise<void>) => {
    operationsInProgress.inc({ request });
    try {
      await work();
    } finally {
      operationsInProgress.dec({ request });
    }
  };
  return {
    event: sub.event,
    handle: (payload, ctx) => track(() => sub.handle(payload, ctx)),
    ...(sub.onExhausted
      ? {
          onExhausted: (
            payload: R,
            ctx: Parameters<NonNullable<Subscription<R>["onExhausted"]>>[1],
            error: unknown,
          ) => track(() => sub.onExhausted?.(payload, ctx, error) ?? Promise.resolve()),
        }
      : {}),
  };
}

/**
 * One operation ended by this delivery (its final status committed), with the delivery's duration
 * (`startedAt` from performance.now()). A redelivery of an ended operation is not counted again.
 */
export function countOperationResult(kind: string, result: "succeeded" | "failed", startedAt: number): void {
  operationsFinished.inc({ kind, result });
  operationSeconds.observe({ kind, result }, (performance.now() - startedAt) / 1000);
}
