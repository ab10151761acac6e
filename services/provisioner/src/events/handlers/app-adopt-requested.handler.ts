/** AppAdoptRequested → record an existing container as the app's, without modifying it. */
import { Events, type Subscription } from "@proximity/bus";
import { type AdoptRequest, adoptSpec } from "../../app/adopt/run-adopt.js";
import type { OperationDeps } from "../../app/operations/context.js";
import { operationSubscription } from "../../app/operations/subscribe-operation.js";

export function appAdoptRequestedSubscription(deps: OperationDeps): Subscription<AdoptRequest> {
  return operationSubscription(deps, Events.AppAdoptRequested, () => adoptSpec);
}
