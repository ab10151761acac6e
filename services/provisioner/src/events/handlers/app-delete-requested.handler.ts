/** AppDeleteRequested → destroy (or detach) the app's container and forget the app. */
import { Events, type Subscription } from "@proximity/bus";
import { type DeleteRequest, deleteSpec } from "../../app/delete/run-delete.js";
import type { OperationDeps } from "../../app/operations/context.js";
import { operationSubscription } from "../../app/operations/subscribe-operation.js";

export function appDeleteRequestedSubscription(deps: OperationDeps): Subscription<DeleteRequest> {
  return operationSubscription(deps, Events.AppDeleteRequested, () => deleteSpec);
}
