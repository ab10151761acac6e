/** AppDeployRequested → run the deploy; after the last failed attempt, clean up and report. */
import { Events, type Subscription, subscribe } from "@proximity/bus";
import type { applicationsEventsV1 } from "@proximity/proto";
import { cleanupFailedDeploy } from "../../app/deploy/cleanup-failed-deploy.js";
import type { DeployDeps } from "../../app/deploy/deploy-context.js";
import { runDeploy } from "../../app/deploy/run-deploy.js";

export function appDeployRequestedSubscription(
  deps: DeployDeps,
): Subscription<applicationsEventsV1.AppDeployRequested> {
  return subscribe(
    Events.AppDeployRequested,
    (payload, ctx) => runDeploy(deps, payload, ctx),
    (payload, ctx, error) => cleanupFailedDeploy(deps, payload, ctx, error),
  );
}
