/**
 * The provisioner's own metrics, observed from outside the code they measure: the breaker
 * registry, the VMID leases and the operation subscriptions are wrapped here, so the operation
 * runner, the breaker and the lease logic stay as they are. Labels: host ids (bounded, admins add
 * hosts), operation kinds and request names (fixed in code); never app or user ids.
 */
import type { Subscription } from "@proximity/bus";
import { toProximityError } from "@proximity/errors";
import { counter, gauge, gaugeFromSources, histogram } from "@proximity/metrics";
import type { BreakerRegistry, BreakerState } from "@proximity/proxmox";
import type { Kysely } from "kysely";
import type { ProvisionerDatabase } from "../db/database.js";
import type { VmidLeases } from "./vmid-leases.js";

/** 0 closed, 1 half-open, 2 open: alerting on `== 2` needs no string matching. */
const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, halfOpen: 1, open: 2 };

export const breakerState = gaugeFromSources({
  name: "proximity_provisioner_breaker_state",
  help: "Circuit breaker of a Proxmox host on this replica: 0 closed, 1 half-open, 2 open",
  labelNames: ["host"],
});

export const proxmoxCallSeconds = histogram({
  name: "proximity_proxmox_call_seconds",
  help: "Proxmox API calls through a host's breaker, by host and outcome (ok, or the error code)",
  labelNames: ["host", "outcome"],
});

export const vmidLeaseConflicts = counter({
  name: "proximity_provisioner_vmid_lease_conflicts_total",
  help: "VMID leases refused because another operation held the VMID (the next candidate is tried)",
  labelNames: ["host"],
});

export const operationsFinished = counter({
  name: "proximity_provisioner_operations_total",
  help: "Operations this replica brought to an end, by kind and result (succeeded, failed)",
  labelNames: ["kind", "result"],
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

/**
 * The same registry, timing every call it guards (the breaker's key is the host id). Everything
 * but `fire` is the registry's own, whatever it offers (ListBreakers, ResetBreaker use it).
 */
export function measuredBreakers(breakers: BreakerRegistry): BreakerRegistry {
  const fire: BreakerRegistry["fire"] = async (key, fn) => {
    const stop = proxmoxCallSeconds.startTimer({ host: key });
    try {
      const result = await breakers.fire(key, fn);
      stop({ outcome: "ok" });
      return result;
    } catch (err) {
      stop({ outcome: toProximityError(err).code.toLowerCase() });
      throw err;
    }
  };
  return new Proxy(breakers, {
    get(target, property) {
      if (property === "fire") return fire;
      const member = Reflect.get(target, property, target);
      return typeof member === "function" ? member.bind(target) : member;
    },
  });
}

/** The same leases, counting the acquisitions another operation won. */
export function measuredLeases(leases: VmidLeases): VmidLeases {
  return {
    ttlMs: leases.ttlMs,
    acquire: async (hostId, vmid, operationId) => {
      const lease = await leases.acquire(hostId, vmid, operationId);
      if (lease === null) vmidLeaseConflicts.inc({ host: hostId });
      return lease;
    },
    releaseIfHeld: (hostId, vmid, operationId) => leases.releaseIfHeld(hostId, vmid, operationId),
    holder: (hostId, vmid) => leases.holder(hostId, vmid),
  };
}

/**
 * The same operation subscription, measured: in progress while its handler runs, and counted by
 * the journal's verdict once it is over. The journal row (looked up by primary key before and
 * after) tells the kind and whether this delivery ended the operation: a redelivery of an
 * operation that had already ended, or one that is still running, is not counted again.
 */
export function measuredOperations<R extends { readonly operationId: string }>(
  db: Kysely<ProvisionerDatabase>,
  sub: Subscription<R>,
): Subscription<R> {
  const request = sub.event.subject.split(".").pop() ?? "unknown";
  const track = async (operationId: string, work: () => Promise<void>) => {
    const before = await journalRow(db, operationId).catch(() => undefined);
    const started = performance.now();
    operationsInProgress.inc({ request });
    try {
      await work();
    } finally {
      operationsInProgress.dec({ request });
      const after = await journalRow(db, operationId).catch(() => undefined);
      if (after && after.status !== "running" && before?.status !== after.status) {
        const labels = { kind: after.kind, result: after.status };
        operationsFinished.inc(labels);
        operationSeconds.observe(labels, (performance.now() - started) / 1000);
      }
    }
  };
  return {
    event: sub.event,
    handle: (payload, ctx) => track(payload.operationId, () => sub.handle(payload, ctx)),
    ...(sub.onExhausted
      ? {
          onExhausted: (
            payload: R,
            ctx: Parameters<NonNullable<Subscription<R>["onExhausted"]>>[1],
            error: unknown,
          ) => track(payload.operationId, () => sub.onExhausted?.(payload, ctx, error) ?? Promise.resolve()),
        }
      : {}),
  };
}

async function journalRow(db: Kysely<ProvisionerDatabase>, operationId: string) {
  return db
    .selectFrom("operations")
    .select(["kind", "status"])
    .where("id", "=", operationId)
    .executeTakeFirst();
}
