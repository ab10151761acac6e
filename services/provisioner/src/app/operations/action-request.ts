/** AppActionRequested as the start/stop/restart/update kinds see it. */
import type { applicationsEventsV1 } from "@proximity/proto";
import type { Attempt } from "./context.js";
import { OperationRefusedError } from "./errors.js";

export type ActionRequest = applicationsEventsV1.AppActionRequested;
export type ActionAttempt = Attempt<ActionRequest>;

/** The container an action is about (refused when the app never got one). */
export function actionVmid(a: ActionAttempt): number {
  if (a.request.vmid <= 0) throw new OperationRefusedError("The app has no container to act on");
  return a.request.vmid;
}
