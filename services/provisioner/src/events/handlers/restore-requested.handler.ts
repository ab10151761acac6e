/** RestoreRequested → restore an archive onto the app's container, or into a new app. */
import { Events, type Subscription } from "@proximity/bus";
import type { OperationDeps } from "../../app/operations/context.js";
import { operationSubscription } from "../../app/operations/subscribe-operation.js";
import { type RestoreRequest, restoreSpec } from "../../app/restore/run-restore.js";

export function restoreRequestedSubscription(deps: OperationDeps): Subscription<RestoreRequest> {
  return operationSubscription(deps, Events.RestoreRequested, () => restoreSpec);
}
