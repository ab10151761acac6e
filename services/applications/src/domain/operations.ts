import { type AppAction, appActionIssue } from "@proximity/rules";
import type { AppStatus } from "./app-status.js";

export type { AppAction };

/** What the provisioner can be asked to do to an app; the `kind` of an operation row. */
export const OPERATION_KINDS = [
  "deploy",
  "start",
  "stop",
  "restart",
  "update",
  "delete",
  "clone",
  "adopt",
  "backup",
  "restore",
] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

/** Operations the backups service starts (BeginArchiveOperation, RestoreIntoNewApp). */
export type ArchiveKind = Extract<OperationKind, "backup" | "restore">;

export function isArchiveKind(value: string): value is ArchiveKind {
  return value === "backup" || value === "restore";
}

/**
 * The status an app shows while an operation of each kind runs on it; `null`: the app keeps the
 * status it had (a backup). A clone's source keeps its own too; the clone shows `cloning`.
 */
export const IN_FLIGHT_STATUS: Readonly<Record<OperationKind, AppStatus | null>> = {
  deploy: "deploying",
  start: "starting",
  stop: "stopping",
  restart: "restarting",
  update: "updating",
  delete: "removing",
  clone: "cloning",
  adopt: "adopting",
  backup: null,
  restore: "restoring",
};

/** The actions of RequestAppAction (the others have RPCs of their own). */
export const REQUESTABLE_ACTIONS: readonly AppAction[] = ["start", "stop", "restart", "update", "retry"];

export function isRequestableAction(value: string): value is AppAction {
  return (REQUESTABLE_ACTIONS as readonly string[]).includes(value);
}

const ACTION_KIND: Readonly<Record<AppAction, OperationKind>> = {
  start: "start",
  stop: "stop",
  restart: "restart",
  update: "update",
  retry: "deploy",
  delete: "delete",
  clone: "clone",
  backup: "backup",
  restore: "restore",
};

const PHRASE: Readonly<Record<AppAction, string>> = {
  start: "start the app",
  stop: "stop the app",
  restart: "restart the app",
  update: "update the app",
  retry: "retry the deployment",
  delete: "delete the app",
  clone: "clone the app",
  backup: "back up the app",
  restore: "restore a backup onto the app",
};

/** What the rules need to know of the app. */
export interface ActionTarget {
  readonly status: AppStatus;
  readonly adopted: boolean;
  readonly vmid: number | null;
}

export type ActionPlan =
  | { readonly ok: true; readonly kind: OperationKind; readonly to: AppStatus }
  | { readonly ok: false; readonly reason: string };

/**
 * Whether `action` may run on an app in its current state (the rule is @proximity/rules', so that a
 * client can tell too), and the status it moves the app to (a clone leaves its source's status as
 * it is, a backup the app's). A refusal says why in words a user can act on.
 */
export function planAction(app: ActionTarget, action: AppAction): ActionPlan {
  const reason = refusal(app, action);
  if (reason) return { ok: false, reason };
  const kind = ACTION_KIND[action];
  return { ok: true, kind, to: action === "clone" ? app.status : (IN_FLIGHT_STATUS[kind] ?? app.status) };
}

/** Why an adopted app refuses the actions the rule keeps from it. */
const ADOPTED: Readonly<Partial<Record<AppAction, string>>> = {
  update: "Cannot update an adopted app: Proximity did not deploy what runs in its container",
  retry: "Cannot retry the deployment of an adopted app: delete it and adopt the container again",
  clone: "Cannot clone an adopted app: Proximity did not deploy what runs in its container",
};

function refusal(app: ActionTarget, action: AppAction): string | undefined {
  const phrase = PHRASE[action];
  const { status } = app;
  if (status === "gone") return "The app has been deleted";
  switch (appActionIssue(app, action)) {
    case undefined:
      return undefined;
    case "status":
      return wrongStatus(action, status, app);
    case "no-container":
      // A power action is refused so only in `error`: the advice of an app in error says what works.
      if (action === "restore") {
        return `Cannot ${phrase}: it has no container; restore the backup into a new app instead`;
      }
      if (action === "clone" || action === "backup") return `Cannot ${phrase}: it has no container yet`;
      return wrongStatus(action, status, app);
    case "adopted":
      return ADOPTED[action] ?? `Cannot ${phrase}: the app was adopted`;
    case "has-container":
      return `Cannot ${phrase}: the app already has container ${app.vmid}; delete the app and deploy it again`;
  }
}

function wrongStatus(action: AppAction, status: AppStatus, app: ActionTarget): string {
  const phrase = PHRASE[action];
  if (action === "start" && status === "running") return "Cannot start the app: it is already running";
  if (action === "stop" && status === "stopped") return "Cannot stop the app: it is already stopped";
  if (action === "restart" && status === "stopped")
    return "Cannot restart the app: it is stopped; start it instead";
  if (action === "update" && status === "stopped")
    return "Cannot update the app: it is stopped; start it, then update it";
  if (action === "retry" && (status === "running" || status === "stopped")) {
    return `Cannot ${phrase}: the app is ${status}; only a failed app can be retried`;
  }
  if (status === "error") {
    // Only a failed deploy without a container can be retried (see below): advise what will work.
    const remedy =
      app.vmid === null
        ? app.adopted
          ? "delete the app"
          : "retry the deployment or delete the app"
        : "start, stop or delete the app";
    return `Cannot ${phrase}: it is in error; ${remedy}`;
  }
  return `Cannot ${phrase} while it is ${status}`;
}

/** The container state the provisioner reports with a result ("" = unknown or not applicable). */
export type ContainerStatus = "running" | "stopped" | "";

export function parseContainerStatus(value: string): ContainerStatus {
  return value === "running" || value === "stopped" ? value : "";
}

/** What settling an operation needs to know besides its kind. */
export interface SettlingOperation {
  readonly kind: OperationKind;
  /** The app's status when the operation was claimed (a backup keeps it all along). */
  readonly statusBefore: AppStatus;
  /** A restore that made a new app (like a clone, nothing of it existed before). */
  readonly newApp: boolean;
}

/** Where an app settles when its operation succeeded. */
export function statusAfterSuccess(op: SettlingOperation, container: ContainerStatus): AppStatus {
  switch (op.kind) {
    case "stop":
      return "stopped";
    case "delete":
      return "gone";
    case "backup":
      // vzdump restarts what it stopped; the container's state after is the truth.
      return container || op.statusBefore;
    case "adopt":
    case "update":
    case "restore":
      return container === "stopped" ? "stopped" : "running";
    default:
      return "running";
  }
}

/**
 * Where an app settles when its operation failed: a start/stop/restart/update/restore that left the
 * container in a known state settles there (the app still works, the message says what failed); a
 * failed backup leaves the app as it was; anything else, or an unknown state, is `error`. A restore
 * into a new app that failed has no container of its own: `error`.
 */
export function statusAfterFailure(op: SettlingOperation, container: ContainerStatus): AppStatus {
  if (op.kind === "backup") return container || op.statusBefore;
  if (op.kind === "restore" && op.newApp) return "error";
  const keepsContainer = ["start", "stop", "restart", "update", "restore"].includes(op.kind);
  return keepsContainer && container !== "" ? container : "error";
}

/**
 * Where an archive operation the provisioner never received goes back to: where it was before,
 * or, for a restore into a new app, nowhere (the app is `gone`).
 */
export function statusAfterAbandon(op: SettlingOperation): AppStatus {
  return op.kind === "restore" && op.newApp ? "gone" : op.statusBefore;
}

/** Operations whose failure gives the app's pool port back (no container ever used it). */
export function releasesPortOnFailure(op: Pick<SettlingOperation, "kind" | "newApp">): boolean {
  return op.kind === "deploy" || op.kind === "clone" || (op.kind === "restore" && op.newApp);
}
