/**
 * A claim is an attempt's, not its process's: each claim on an operation is its own identity in
 * operations.claimed_by, `<workerId>/<nonce>`, and every write of the attempt is fenced on it
 * (renewal, journal, VMID, result). An attempt whose claim lapsed and was taken again, even by its
 * own process (a redelivery after a database outage longer than the claim's TTL), writes nothing
 * more: fenced on the process alone, both attempts would pass and run side by side.
 */
import { randomBytes } from "node:crypto";

/** A new claim identity of `workerId` (its worker id stays readable in claimed_by). */
export function newClaim(workerId: string): string {
  return `${workerId}/${randomBytes(6).toString("hex")}`;
}
