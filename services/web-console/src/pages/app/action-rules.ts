import { type AppAction, type AppActionIssue, appActionIssue } from "@proximity/rules";
import type { App } from "../../api/types";

/** What a person can ask of an app from this page (the platform's rule: @proximity/rules). */
export type { AppAction };

type ActionTarget = Pick<App, "status" | "adopted" | "vmid" | "current_operation">;

/** Each reason, in words a person can act on. */
const REFUSAL: Readonly<Record<Exclude<AppActionIssue, "status">, string>> = {
  "no-container": "The app has no container yet.",
  adopted: "Proximity did not deploy what runs in an adopted app's container.",
  "has-container": "The app already has a container: delete it and deploy again.",
};

/**
 * Why `action` cannot run on the app now, or undefined when it can: the rule the applications
 * service applies, so buttons are only offered when they can work (the API stays the judge: a 409
 * still shows its reason), and first whether an operation holds the app.
 */
export function actionRefusal(app: ActionTarget, action: AppAction): string | undefined {
  if (app.current_operation) return `Wait until the ${app.current_operation} in progress has finished.`;
  const issue = appActionIssue(app, action);
  if (issue === undefined) return undefined;
  if (issue !== "status") return REFUSAL[issue];
  // An update works inside the running container (the rule allows it from running only).
  if (action === "update" && app.status === "stopped") return "Start the app to update it.";
  return `Not possible while the app is ${app.status}.`;
}

export function canRun(app: ActionTarget, action: AppAction): boolean {
  return actionRefusal(app, action) === undefined;
}
