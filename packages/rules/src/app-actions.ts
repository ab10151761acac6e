/**
 * What a user can ask of an app after its deploy: the applications service's RequestAppAction
 * actions, DeleteApp, CloneApp, and through the backups service a backup or a restore onto the app.
 * `retry` redeploys a failed app.
 */
export const APP_ACTIONS = [
  "start",
  "stop",
  "restart",
  "update",
  "retry",
  "delete",
  "clone",
  "backup",
  "restore",
] as const;
export type AppAction = (typeof APP_ACTIONS)[number];

/** The settled statuses an action may start from; an app in any other status is busy or gone. */
type SettledStatus = "running" | "stopped" | "error";

const ALLOWED_FROM: Readonly<Record<AppAction, readonly SettledStatus[]>> = {
  // From `error` only with a container (checked below): a power action is how an app whose last
  // operation failed half-way (e.g. its host was unreachable) is brought back in hand.
  start: ["stopped", "error"],
  stop: ["running", "error"],
  restart: ["running", "error"],
  // Running only: an update works inside the container (pulls, compose up, health), and its
  // rollback restarts the snapshot; a stopped app is started first, by its owner.
  update: ["running"],
  retry: ["error"],
  delete: ["running", "stopped", "error"],
  clone: ["running", "stopped"],
  backup: ["running", "stopped"],
  // From `error` too: restoring a good backup is how a broken app is brought back.
  restore: ["running", "stopped", "error"],
};

const POWER: ReadonlySet<AppAction> = new Set(["start", "stop", "restart"]);
/** Actions that work on the app's container, whatever its status. */
const ON_CONTAINER: ReadonlySet<AppAction> = new Set(["clone", "backup", "restore"]);
/**
 * Proximity did not deploy what runs in an adopted container, so it cannot rebuild it (update,
 * retry) nor make a second unmanaged copy of it (clone: same static address, nothing to rebuild).
 */
const NOT_FOR_ADOPTED: ReadonlySet<AppAction> = new Set(["update", "retry", "clone"]);

/** What the rule needs to know of an app. `status` is the app's status name, as the API spells it. */
export interface ActionSubject {
  readonly status: string;
  readonly adopted: boolean;
  /** The app's container, null until it has one. */
  readonly vmid: number | null;
}

/**
 * Why an action cannot run: `status` (not from the app's status), `no-container` (the app has
 * none yet), `adopted` (not for an adopted app), `has-container` (a retry would make a second one).
 */
export type AppActionIssue = "status" | "no-container" | "adopted" | "has-container";

/**
 * Why `action` cannot run on `app` as it is, or undefined when it can. Whether another operation
 * holds the app is not part of it: the applications service claims the app in its database, and
 * one claim at a time wins.
 * @example appActionIssue({ status: "running", adopted: false, vmid: 104 }, "start") // "status"
 * @example appActionIssue({ status: "error", adopted: false, vmid: null }, "retry") // undefined
 */
export function appActionIssue(app: ActionSubject, action: AppAction): AppActionIssue | undefined {
  if (!(ALLOWED_FROM[action] as readonly string[]).includes(app.status)) return "status";
  if (app.vmid === null && (ON_CONTAINER.has(action) || (POWER.has(action) && app.status === "error"))) {
    return "no-container";
  }
  if (app.adopted && NOT_FOR_ADOPTED.has(action)) return "adopted";
  if (action === "retry" && app.vmid !== null) return "has-container";
  return undefined;
}
