/** AppActionRequested → start, stop, restart or update (one operation kind per action). */
import { Events, type Subscription } from "@proximity/bus";
import { applicationsEventsV1 } from "@proximity/proto";
import type { ActionRequest } from "../../app/operations/action-request.js";
import type { OperationDeps } from "../../app/operations/context.js";
import { refusedSpec } from "../../app/operations/refused-spec.js";
import type { OperationSpec } from "../../app/operations/run-operation.js";
import { operationSubscription } from "../../app/operations/subscribe-operation.js";
import { restartSpec } from "../../app/restart/run-restart.js";
import { startSpec } from "../../app/start/run-start.js";
import { stopSpec } from "../../app/stop/run-stop.js";
import { updateSpec } from "../../app/update/run-update.js";

const A = applicationsEventsV1.AppAction;

const SPECS: ReadonlyMap<applicationsEventsV1.AppAction, OperationSpec<ActionRequest>> = new Map([
  [A.APP_ACTION_START, startSpec],
  [A.APP_ACTION_STOP, stopSpec],
  [A.APP_ACTION_RESTART, restartSpec],
  [A.APP_ACTION_UPDATE, updateSpec],
]);

const unknownAction = refusedSpec<ActionRequest>("The requested action is not supported");

export function appActionRequestedSubscription(deps: OperationDeps): Subscription<ActionRequest> {
  return operationSubscription(deps, Events.AppActionRequested, (r) => SPECS.get(r.action) ?? unknownAction);
}
