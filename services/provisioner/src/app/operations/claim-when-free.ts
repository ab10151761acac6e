/**
 * Claims an operation, waiting for another worker's claim to lapse first. A replica that died
 * holding an operation leaves a claim nobody renews; its request may come back (or the last
 * attempt's cleanup may start) before that claim has expired. Giving up at once would spend a
 * delivery of the request on nothing, and on the last one leave the operation running for ever, so
 * the delivery waits, at most one claim TTL and a little: a claim still held after that is a live
 * worker's (it renews every third of the TTL).
 */
import type { MessageContext } from "@proximity/bus";
import { claimOperation, findOperation, type OperationRow } from "../../db/operation.repository.js";
import { newClaim } from "./claim-id.js";
import type { OperationDeps } from "./context.js";

export type ClaimOutcome =
  /** Claimed: `operation.claimed_by` is the new claim (claim-id.ts), which fences what follows. */
  | { readonly kind: "claimed"; readonly operation: OperationRow }
  /** Succeeded or failed already (a duplicate request). */
  | { readonly kind: "finished"; readonly status: string }
  /** Another worker still holds it: a live one. */
  | { readonly kind: "held" };

/**
 * One claim, without waiting: for the recovery of an abandoned request, whose advisory comes after
 * ack_wait (the claim TTL), when a dead process's claim has lapsed already. Held means alive.
 */
export async function claimNow(
  deps: Pick<OperationDeps, "db" | "workerId" | "settings">,
  operationId: string,
): Promise<ClaimOutcome> {
  const operation = await claimOperation(
    deps.db,
    operationId,
    newClaim(deps.workerId),
    deps.settings.claimTtlMs,
    false,
  );
  if (operation) return { kind: "claimed", operation };
  const status = (await findOperation(deps.db, operationId))?.status;
  if (status === "succeeded" || status === "failed") return { kind: "finished", status };
  return { kind: "held" };
}

export async function claimWhenFree(
  deps: Pick<OperationDeps, "db" | "workerId" | "settings">,
  operationId: string,
  ctx: Pick<MessageContext, "stopping">,
  countAttempt: boolean,
): Promise<ClaimOutcome> {
  const ttl = deps.settings.claimTtlMs;
  const giveUpAt = Date.now() + ttl + Math.min(ttl, 1_000);
  const pollMs = Math.max(20, Math.min(500, Math.floor(ttl / 10)));
  const claim = newClaim(deps.workerId); // this delivery's, however many tries it takes
  for (;;) {
    const operation = await claimOperation(deps.db, operationId, claim, ttl, countAttempt);
    if (operation) return { kind: "claimed", operation };
    const status = (await findOperation(deps.db, operationId))?.status;
    if (status === "succeeded" || status === "failed") return { kind: "finished", status };
    if (Date.now() >= giveUpAt || ctx.stopping?.aborted) return { kind: "held" };
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
