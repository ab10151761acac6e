/**
 * Runs a subscription's handler inside a slot of the request's node (and host): the delivery
 * waits, holding no worker, until the node has room platform-wide (infra/node-slots.ts). While it
 * waits the consumer keeps the message in progress, so waiting burns no delivery; a consumer that
 * stops returns the waiting messages at once (DeliveryDeferred), except on the last attempt, which
 * keeps waiting rather than lose its message. The failure hook (cleanup) runs without a slot: it
 * must report even when the node is saturated.
 */
import { DeliveryDeferred, type Subscription } from "@proximity/bus";
import type { NodeSlots } from "../../infra/node-slots.js";
import type { OperationRequest } from "./context.js";

export function slotGated<R extends OperationRequest>(
  slots: NodeSlots,
  sub: Subscription<R>,
): Subscription<R> {
  return {
    ...sub,
    handle: async (request, ctx) => {
      // A request naming no node is refused by the runner at once: nothing to wait for.
      if (!request.hostId || !request.node) return sub.handle(request, ctx);
      const signal = ctx.isLastAttempt ? undefined : ctx.stopping;
      const grant = await slots.acquire(request.hostId, request.node, signal).catch((err: unknown) => {
        throw signal?.aborted
          ? new DeliveryDeferred("stopped while waiting for a node slot", { cause: err })
          : err;
      });
      try {
        await sub.handle(request, ctx);
      } finally {
        await grant.release();
      }
    },
  };
}
