/** AppCloneRequested → copy the source's container as the new app's; undone entirely on failure. */
import { Events, type Subscription } from "@proximity/bus";
import { type CloneRequest, cloneSpec } from "../../app/clone/run-clone.js";
import type { OperationDeps } from "../../app/operations/context.js";
import { operationSubscription } from "../../app/operations/subscribe-operation.js";

export function appCloneRequestedSubscription(deps: OperationDeps): Subscription<CloneRequest> {
  return operationSubscription(deps, Events.AppCloneRequested, () => cloneSpec);
}
