import { NotFoundError, ValidationError } from "@proximity/errors";
import type { PromiseClient } from "@proximity/grpc";
import type { hostsV1 } from "@proximity/proto";

/** The part of the hosts service the applications service relies on. */
export type PlacementClient = Pick<PromiseClient<hostsV1.HostsServiceServer>, "resolvePlacement">;

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
