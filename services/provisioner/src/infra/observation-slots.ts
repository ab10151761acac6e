/**
 * Who observes a host in an interval, across every provisioner replica: a NATS KV key
 * `<hostId>.<slot>` (slot = interval number since the epoch) created if absent. Exactly one
 * replica's create succeeds per host and slot; the bucket TTL only garbage-collects old slots.
 * Replicas agree on slots through their clocks: a skew near a boundary can at worst move an
 * observation to the neighbouring slot, never give one slot two observers.
 */
import { KvBuckets, openKvBucket } from "@proximity/bus";
import type { JetStreamClient } from "nats";

export interface ObservationSlots {
  /** True for exactly one caller per (host, slot). */
  claim(hostId: string, slot: number): Promise<boolean>;
}

const WRONG_LAST_SEQUENCE = 10071;

/**
 * Opens bucket `<ns>_observation_slots`, declared by setup (KvBuckets.observationSlots); with
 * `declare` (a server without authentication) it is created if absent. A slot's key must outlive
 * the slot, so an interval longer than the bucket keeps a key is refused.
 */
export async function openObservationSlots(
  js: JetStreamClient,
  ns: string,
  intervalMs: number,
  options: { readonly declare: boolean },
): Promise<ObservationSlots> {
  const { kv, ttlMs } = await openKvBucket(js, ns, KvBuckets.observationSlots, {
    declare: options.declare,
    ttlMs: Math.max(1_000, intervalMs * 4),
  });
  if (ttlMs < intervalMs)
    throw new Error(
      `OBSERVE_INTERVAL_MS (${intervalMs} ms) is longer than the ${ns}_observation_slots bucket keeps a slot (${ttlMs} ms): two replicas could observe a host in one interval`,
    );
  return {
    claim: async (hostId, slot) => {
      try {
        await kv.create(`${hostId}.${slot}`, new TextEncoder().encode(String(Date.now())));
        return true;
      } catch (err) {
        if ((err as { api_error?: { err_code?: number } }).api_error?.err_code === WRONG_LAST_SEQUENCE)
          return false;
        throw err;
      }
    },
  };
}
