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
  "restarting",
  "updating",
  "cloning",
  "adopting",
  "removing",
  "restoring",
  "gone",
  "error",
] as const;

export type AppStatus = (typeof APP_STATUSES)[number];

/**
 * Statuses a new app record starts in: a fresh deployment, a clone of another app, an adoption, a
 * restore of a backup into a new app.
 */
export const INITIAL_STATUSES: readonly AppStatus[] = ["deploying", "cloning", "adopting", "restoring"];

/**
 * Allowed transitions. Every in-flight status may end in `error`: an operation that fails must
 * leave the app somewhere the user can act on: retry from `error` (no container yet), start, stop
 * or restart it (it has a container, e.g. a stop that never reached its host), or remove it. An operation
 * that failed with the container in a known state settles there instead (a rolled-back update
 * settles `running` with a status message; a failed start whose container is down, `stopped`).
 * A backup keeps the app's status while it runs and settles where it left the container (running ⇄
 * stopped directly). A restore into a new app that was never sent to the provisioner is abandoned
 * straight to `gone`.
 */
const TRANSITIONS: Readonly<Record<AppStatus, readonly AppStatus[]>> = {
  deploying: ["running", "error"],
  running: ["stopping", "restarting", "updating", "removing", "restoring", "stopped"],
  stopped: ["starting", "updating", "removing", "restoring", "running"],
  starting: ["running", "stopped", "error"],
  stopping: ["stopped", "running", "error"],
  restarting: ["running", "stopped", "error"],
  updating: ["running", "stopped", "error"],
  cloning: ["running", "error"],
  adopting: ["running", "stopped", "error"],
  removing: ["gone", "error"],
  restoring: ["running", "stopped", "error", "gone"],
  error: ["deploying", "starting", "stopping", "restarting", "removing", "restoring"],
  gone: [],
};

/** Statuses with an operation in flight on Proxmox (the `-ing` ones). */
export const IN_FLIGHT_STATUSES: readonly AppStatus[] = [
  "deploying",
  "starting",
  "stopping",
  "restarting",
  "updating",
  "cloning",
  "adopting",
  "removing",
  "restoring",
];

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
  return IN_FLIGHT_STATUSES.includes(status);
}
