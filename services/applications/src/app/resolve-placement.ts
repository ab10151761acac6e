import { NotFoundError, ValidationError } from "@proximity/errors";
import type { hostsV1 } from "@proximity/proto";

/**
 * The part of the hosts service the applications service relies on. Asked as the service itself,
 * within the caller's trace: no end user is passed, so an answer is the same whoever asks (which
 * lets a replica share it: app/shared-placements.ts).
 */
export interface PlacementClient {
  resolvePlacement(
    request: hostsV1.ResolvePlacementRequest,
    options: { readonly traceparent: string },
  ): Promise<hostsV1.ResolvePlacementResponse>;
  /** Forgets a shared answer to `request` (absent when answers are not shared). */
  forget?(request: hostsV1.ResolvePlacementRequest): void;
}

export interface Placement {
  readonly hostId: string;
  readonly node: string;
}

/**
 * Asks the hosts service where a new container goes (it validates an explicit choice and picks
 * one when `hostId`/`node` are empty). An unknown host or node is the user's input at fault, so
 * NotFound becomes a ValidationError on the placement fields; UNAVAILABLE and deadlines pass
 * through as they are (503/504 at the gateway, safe to retry).
 */
export async function resolvePlacement(
  hosts: PlacementClient,
  wanted: Placement,
  traceparent: string,
): Promise<Placement> {
  try {
    const placement = await hosts.resolvePlacement(wanted, { traceparent });
    return { hostId: placement.hostId, node: placement.node };
  } catch (err) {
    if (err instanceof NotFoundError) {
      const field = wanted.node ? "node" : "host_id";
      throw new ValidationError("Invalid placement", [{ field, message: err.message }], err);
    }
    throw err;
  }
}
