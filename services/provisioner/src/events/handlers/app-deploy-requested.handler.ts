/** AppDeployRequested → run the deploy; after the last failed attempt, clean up and report. */
import { Events, type Subscription } from "@proximity/bus";
import type { applicationsEventsV1 } from "@proximity/proto";
import { deploySpec } from "../../app/deploy/run-deploy.js";
import type { OperationDeps } from "../../app/operations/context.js";
import { operationSubscription } from "../../app/operations/subscribe-operation.js";

export function appDeployRequestedSubscription(
  deps: OperationDeps,
): Subscription<applicationsEventsV1.AppDeployRequested> {
  return operationSubscription(deps, Events.AppDeployRequested, () => deploySpec);
}
