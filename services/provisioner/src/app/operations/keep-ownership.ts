/**
 * While an attempt works, its claim on the operation and its VMID lease (if any) are renewed every
 * third of the shorter TTL. Losing either aborts the attempt before its next effect; a transient
 * renewal error is only logged (the next tick retries, and the containers row still guards the VMID).
 */
import { renewClaim } from "../../db/operation.repository.js";
import type { Attempt } from "./context.js";
import { OwnershipLostError } from "./errors.js";

/** Starts renewing; returns the function that stops it. */
export function keepOwnership(a: Attempt, controller: AbortController): () => void {
  const { db, settings, workerId } = a.deps;
  const every = Math.max(50, Math.floor(Math.min(settings.claimTtlMs, settings.leaseTtlMs) / 3));
  let busy = false;
  const tick = async () => {
    if (busy || controller.signal.aborted) return;
    busy = true;
    try {
      if (!(await renewClaim(db, a.request.operationId, workerId, settings.claimTtlMs))) {
        throw new OwnershipLostError("The claim on the operation was lost");
      }
      await a.lease?.renew();
    } catch (err) {
      if (err instanceof OwnershipLostError) {
        a.log.error({ err }, "ownership lost; aborting the attempt");
        controller.abort(err);
      } else {
        a.log.warn({ err }, "could not renew the claim or lease; will retry");
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), every);
  return () => clearInterval(timer);
}
