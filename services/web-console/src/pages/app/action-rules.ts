import type { App, AppStatus } from "../../api/types";

/** What a person can ask of an app from this page. */
export type AppAction =
  | "start"
  | "stop"
  | "restart"
  | "update"
  | "retry"
  | "clone"
  | "delete"
  | "backup"
  | "restore";

/**
 * Settled statuses each action may start from: the applications service's rules
 * (services/applications/src/domain/operations.ts), repeated so buttons are only offered when they
 * can work. The API stays the judge: a 409 still shows its reason.
 */
const ALLOWED_FROM: Readonly<Record<AppAction, readonly AppStatus[]>> = {
  start: ["stopped", "error"],
  stop: ["running", "error"],
  restart: ["running", "error"],
  update: ["running", "stopped"],
  retry: ["error"],
  delete: ["running", "stopped", "error"],
  clone: ["running", "stopped"],
  backup: ["running", "stopped"],
  restore: ["running", "stopped", "error"],
};

const NEEDS_CONTAINER: ReadonlySet<AppAction> = new Set(["clone", "backup", "restore"]);
/** Power actions from `error` only reach an app that has a container. */
const POWER: ReadonlySet<AppAction> = new Set(["start", "stop", "restart"]);

type ActionTarget = Pick<App, "status" | "adopted" | "vmid" | "current_operation">;

/** Why `action` cannot run on the app now, in words a person can act on; undefined when it can. */
export function actionRefusal(app: ActionTarget, action: AppAction): string | undefined {
  if (app.current_operation) return `Wait until the ${app.current_operation} in progress has finished.`;
  if (!ALLOWED_FROM[action].includes(app.status)) return `Not possible while the app is ${app.status}.`;
  if (app.status === "error" && POWER.has(action) && app.vmid === null)
    return "The app has no container yet.";
  if (NEEDS_CONTAINER.has(action) && app.vmid === null) return "The app has no container yet.";
  if ((action === "update" || action === "clone" || action === "retry") && app.adopted) {
    return "Proximity did not deploy what runs in an adopted app's container.";
  }
  if (action === "retry" && app.vmid !== null)
    return "The app already has a container: delete it and deploy again.";
  return undefined;
}

export function canRun(app: ActionTarget, action: AppAction): boolean {
  return actionRefusal(app, action) === undefined;
}
