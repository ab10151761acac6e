/**
 * The process's Proxmox circuit breakers as a sorted list. Breakers are created lazily on a host's
 * first call, so a host this process has not called yet is simply absent (and would be "closed").
 */
import type { BreakerRegistry, BreakerState } from "@proximity/proxmox";

export interface BreakerView {
  /** Host id: the provisioner keys breakers by host (resolve-connection.ts). */
  readonly key: string;
  readonly state: BreakerState;
  readonly fires: number;
  readonly successes: number;
  readonly failures: number;
  readonly rejects: number;
}

/** Sorted by key so repeated reads are comparable line by line. */
export function listBreakers(breakers: Pick<BreakerRegistry, "snapshot">): BreakerView[] {
  return Object.entries(breakers.snapshot())
    .map(([key, s]) => ({ key, ...s }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
