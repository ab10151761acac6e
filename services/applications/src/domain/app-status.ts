import { InvalidTransitionError } from "@proximity/errors";

/**
 * Lifecycle of an app. The `-ing` statuses mean an operation is in flight on Proxmox: the app
 * records which one in `current_operation_id`, and only that operation's result may settle it.
 */
export const APP_STATUSES = [
  "deploying",
  "running",
  "stopped",
  "starting",
  "stopping",
  "updating",
  "cloning",
  "removing",
  "gone",
  "error",
] as const;

export type AppStatus = (typeof APP_STATUSES)[number];

/** Statuses a new app record starts in: a fresh deployment, or a clone of another app. */
export const INITIAL_STATUSES: readonly AppStatus[] = ["deploying", "cloning"];

/**
 * Allowed transitions. Every in-flight status may end in `error`: an operation that fails must
 * leave the app somewhere the user can act on (retry from `error`, or remove it).
 * A failed update that the provisioner rolled back settles as `running` with a status message.
 */
const TRANSITIONS: Readonly<Record<AppStatus, readonly AppStatus[]>> = {
  deploying: ["running", "error"],
  running: ["stopping", "updating", "removing"],
  stopped: ["starting", "updating", "removing"],
  starting: ["running", "error"],
  stopping: ["stopped", "error"],
  updating: ["running", "error"],
  cloning: ["running", "error"],
  removing: ["gone", "error"],
  error: ["deploying", "removing"],
  gone: [],
};

/** Where an in-flight status goes when its operation succeeds. */
const SUCCESS_OUTCOME: Readonly<Partial<Record<AppStatus, AppStatus>>> = {
  deploying: "running",
  starting: "running",
  stopping: "stopped",
  updating: "running",
  cloning: "running",
  removing: "gone",
};

export function isAppStatus(value: string): value is AppStatus {
  return (APP_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: AppStatus, to: AppStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws InvalidTransitionError (→ 409) unless `from → to` is allowed. */
export function assertTransition(from: AppStatus, to: AppStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError("app", from, to);
}

/** True while an operation is running on the app (its result is still awaited). */
export function isInFlight(status: AppStatus): boolean {
  return SUCCESS_OUTCOME[status] !== undefined;
}

/** The status an app reaches when the operation behind its in-flight `status` succeeds. */
export function statusAfterSuccess(status: AppStatus): AppStatus {
  const next = SUCCESS_OUTCOME[status];
  if (next === undefined) throw new InvalidTransitionError("app", status, "a settled status");
  return next;
}
