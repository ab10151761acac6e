/**
 * A claim is an attempt's, not its process's: each claim on an operation is its own identity in
 * operations.claimed_by, `<workerId>/<nonce>`, and the attempt's renewals and release, its journal
 * (steps, VMID choice) and its result are fenced on it. An attempt whose claim lapsed and was taken
 * again, even by its own process (a redelivery after a database outage longer than the claim's
 * TTL), writes none of them more and stops at its next renewal: fenced on the process alone, both
 * attempts would pass and run side by side. (A task's UPID and the batched progress lines are not
 * fenced: see the README.)
 */
import { randomBytes } from "node:crypto";

/** A new claim identity of `workerId` (its worker id stays readable in claimed_by). */
export function newClaim(workerId: string): string {
  return `${workerId}/${randomBytes(6).toString("hex")}`;
}
