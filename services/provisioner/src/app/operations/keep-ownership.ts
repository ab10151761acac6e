/**
 * While an attempt works, its claim on the operation and its VMID lease (if any) are renewed every
 * third of the shorter TTL, each on its own: a lease renewal may wait out an election of the NATS
 * stream's leader (untilLeaderAnswers), which must not hold back the claim's renewal. Losing either
 * aborts the attempt before its next effect; a transient renewal error is only logged (the next
 * tick retries, and the containers row still guards the VMID).
 */
import { renewClaim } from "../../db/operation.repository.js";
import type { Attempt } from "./context.js";
import { OwnershipLostError } from "./errors.js";

/** What holds a claim: an attempt, or the cleanup after the last one (which holds no lease). */
export type ClaimHolder = Pick<Attempt, "deps" | "request" | "claim" | "log" | "lease">;

/** Starts renewing; returns the function that stops it. */
export function keepOwnership(a: ClaimHolder, controller: AbortController): () => void {
  const { db, settings } = a.deps;
  const every = Math.max(50, Math.floor(Math.min(settings.claimTtlMs, settings.leaseTtlMs) / 3));
  const renewing = { claim: false, lease: false };
  const renew = async (what: keyof typeof renewing, work: () => Promise<void>) => {
    if (renewing[what] || controller.signal.aborted) return;
    renewing[what] = true;
    try {
      await work();
    } catch (err) {
      if (controller.signal.aborted) return; // aborted by the other renewal: logged there
      if (err instanceof OwnershipLostError) {
        a.log.error({ err }, "ownership lost; aborting the attempt");
        controller.abort(err);
      } else {
        a.log.warn({ err }, `could not renew the ${what}; will retry`);
      }
    } finally {
      renewing[what] = false;
    }
  };
  const tick = () => {
    void renew("claim", async () => {
      if (!(await renewClaim(db, a.request.operationId, a.claim, settings.claimTtlMs)))
        throw new OwnershipLostError("The claim on the operation was lost");
    });
    void renew("lease", async () => a.lease?.renew(controller.signal));
  };
  const timer = setInterval(tick, every);
  return () => clearInterval(timer);
}
