/**
 * Who observes a host in an interval, across every provisioner replica: a NATS KV key
 * `<hostId>.<slot>` (slot = interval number since the epoch) created if absent. Exactly one
 * replica's create succeeds per host and slot; the bucket TTL only garbage-collects old slots.
 * Replicas agree on slots through their clocks: a skew near a boundary can at worst move an
 * observation to the neighbouring slot, never give one slot two observers.
 */
import { KvBuckets, kvBucketName } from "@proximity/bus";
import type { JetStreamClient, KV } from "nats";

export interface ObservationSlots {
  /** True for exactly one caller per (host, slot). */
  claim(hostId: string, slot: number): Promise<boolean>;
}

const WRONG_LAST_SEQUENCE = 10071;

export async function openObservationSlots(
  js: JetStreamClient,
  ns: string,
  intervalMs: number,
): Promise<ObservationSlots> {
  const kv: KV = await js.views.kv(kvBucketName(ns, KvBuckets.observationSlots), {
    history: 1,
    ttl: Math.max(1_000, intervalMs * 4),
  });
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
