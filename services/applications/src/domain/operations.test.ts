import { describe, expect, it } from "vitest";
import { APP_STATUSES, type AppStatus, canTransition } from "./app-status.js";
import {
  type AppAction,
  IN_FLIGHT_STATUS,
  OPERATION_KINDS,
  type OperationKind,
  planAction,
  releasesPortOnFailure,
  type SettlingOperation,
  statusAfterAbandon,
  statusAfterFailure,
  statusAfterSuccess,
} from "./operations.js";

const ACTIONS: readonly AppAction[] = [
  "start",
  "stop",
  "restart",
  "update",
  "retry",
  "delete",
  "clone",
  "backup",
  "restore",
];

/** Expected outcome of every (status, action) pair for a deployed app with a container (vmid 104). */
const EXPECTED: Readonly<Record<AppStatus, Readonly<Record<AppAction, string>>>> = {
  running: {
    start: "Cannot start the app: it is already running",
    stop: "→ stopping",
    restart: "→ restarting",
    update: "→ updating",
    retry: "Cannot retry the deployment: the app is running; only a failed app can be retried",
    delete: "→ removing",
    clone: "→ running",
    backup: "→ running",
    restore: "→ restoring",
  },
  stopped: {
    start: "→ starting",
    stop: "Cannot stop the app: it is already stopped",
    restart: "Cannot restart the app: it is stopped; start it instead",
    update: "Cannot update the app: it is stopped; start it, then update it",
    retry: "Cannot retry the deployment: the app is stopped; only a failed app can be retried",
    delete: "→ removing",
    clone: "→ stopped",
    backup: "→ stopped",
    restore: "→ restoring",
  },
  error: {
    // The table's app has container 104: power actions bring it back in hand, so does restoring a
    // backup onto it; a retry would make a second container.
    start: "→ starting",
    stop: "→ stopping",
    restart: "→ restarting",
    update: "Cannot update the app: it is in error; start, stop or delete the app",
    retry:
      "Cannot retry the deployment: the app already has container 104; delete the app and deploy it again",
    delete: "→ removing",
    clone: "Cannot clone the app: it is in error; start, stop or delete the app",
    backup: "Cannot back up the app: it is in error; start, stop or delete the app",
    restore: "→ restoring",
  },
  gone: Object.fromEntries(ACTIONS.map((a) => [a, "The app has been deleted"])) as Record<AppAction, string>,
  ...Object.fromEntries(
    (
      [
        "deploying",
        "starting",
        "stopping",
        "restarting",
        "updating",
        "cloning",
        "adopting",
        "removing",
        "restoring",
      ] as const
    ).map((status) => [
      status,
      {
        start: `Cannot start the app while it is ${status}`,
        stop: `Cannot stop the app while it is ${status}`,
        restart: `Cannot restart the app while it is ${status}`,
        update: `Cannot update the app while it is ${status}`,
        retry: `Cannot retry the deployment while it is ${status}`,
        delete: `Cannot delete the app while it is ${status}`,
        clone: `Cannot clone the app while it is ${status}`,
        backup: `Cannot back up the app while it is ${status}`,
        restore: `Cannot restore a backup onto the app while it is ${status}`,
      },
    ]),
  ),
} as Record<AppStatus, Record<AppAction, string>>;

const outcome = (plan: ReturnType<typeof planAction>) => (plan.ok ? `→ ${plan.to}` : plan.reason);

const op = (kind: OperationKind, statusBefore: AppStatus = "running", newApp = false): SettlingOperation => ({
  kind,
  statusBefore,
  newApp,
});

describe("operations", () => {
  const pairs = APP_STATUSES.flatMap((status) => ACTIONS.map((action) => [status, action] as const));

  it.each(pairs)("planAction - %s + %s", (status, action) => {
    const plan = planAction({ status, adopted: false, vmid: 104 }, action);
    expect(outcome(plan)).toBe(EXPECTED[status][action]);
    // Every accepted action is an allowed edge of the state machine (a clone and a backup keep the status).
    if (plan.ok && plan.to !== status) expect(canTransition(status, plan.to)).toBe(true);
  });

  it("planAction - a failed deployment without a container can be retried", () => {
    expect(planAction({ status: "error", adopted: false, vmid: null }, "retry")).toEqual({
      ok: true,
      kind: "deploy",
      to: "deploying",
    });
    for (const action of ["start", "stop", "restart"] as const) {
      expect(outcome(planAction({ status: "error", adopted: false, vmid: null }, action))).toBe(
        `Cannot ${action} the app: it is in error; retry the deployment or delete the app`,
      );
    }
  });

  it("planAction - adopted apps cannot be updated or redeployed, and say why", () => {
    expect(outcome(planAction({ status: "running", adopted: true, vmid: 120 }, "update"))).toBe(
      "Cannot update an adopted app: Proximity did not deploy what runs in its container",
    );
    expect(outcome(planAction({ status: "error", adopted: true, vmid: null }, "retry"))).toMatch(
      /adopted app: delete it and adopt/,
    );
    expect(outcome(planAction({ status: "running", adopted: true, vmid: 120 }, "clone"))).toBe(
      "Cannot clone an adopted app: Proximity did not deploy what runs in its container",
    );
    expect(planAction({ status: "running", adopted: true, vmid: 120 }, "restart").ok).toBe(true);
  });

  it("planAction - adopted apps may be backed up and restored (their container is like any other)", () => {
    expect(planAction({ status: "running", adopted: true, vmid: 120 }, "backup")).toEqual({
      ok: true,
      kind: "backup",
      to: "running",
    });
    expect(planAction({ status: "stopped", adopted: true, vmid: 120 }, "restore")).toEqual({
      ok: true,
      kind: "restore",
      to: "restoring",
    });
  });

  it("planAction - an app without a container cannot be cloned, backed up or restored onto", () => {
    expect(outcome(planAction({ status: "stopped", adopted: false, vmid: null }, "clone"))).toBe(
      "Cannot clone the app: it has no container yet",
    );
    expect(outcome(planAction({ status: "running", adopted: false, vmid: null }, "backup"))).toBe(
      "Cannot back up the app: it has no container yet",
    );
    expect(outcome(planAction({ status: "error", adopted: false, vmid: null }, "restore"))).toBe(
      "Cannot restore a backup onto the app: it has no container; restore the backup into a new app instead",
    );
  });

  it("settling - every outcome is an allowed edge from the status the operation holds the app in", () => {
    for (const kind of OPERATION_KINDS) {
      // A backup holds the app in the status it had (running or stopped); the others in their own.
      const befores: readonly AppStatus[] = kind === "backup" ? ["running", "stopped"] : ["running"];
      for (const before of befores) {
        for (const newApp of kind === "restore" ? [false, true] : [false]) {
          const from = IN_FLIGHT_STATUS[kind] ?? before;
          for (const container of ["running", "stopped", ""] as const) {
            for (const to of [
              statusAfterSuccess(op(kind, before, newApp), container),
              statusAfterFailure(op(kind, before, newApp), container),
            ]) {
              expect(to === from || canTransition(from, to), `${kind} ${from} → ${to}`).toBe(true);
            }
          }
        }
      }
    }
  });

  it("settling - results by kind and container status", () => {
    expect(statusAfterSuccess(op("stop"), "")).toBe("stopped");
    expect(statusAfterSuccess(op("delete"), "")).toBe("gone");
    expect(statusAfterSuccess(op("adopt"), "stopped")).toBe("stopped");
    expect(statusAfterSuccess(op("adopt"), "running")).toBe("running");
    expect(statusAfterSuccess(op("clone"), "stopped")).toBe("running");
    // An update rolled back leaves the app running as before; a start that failed, stopped.
    expect(statusAfterFailure(op("update"), "running")).toBe("running");
    expect(statusAfterFailure(op("start"), "stopped")).toBe("stopped");
    expect(statusAfterFailure(op("restart"), "")).toBe("error");
    expect(statusAfterFailure(op("deploy"), "running")).toBe("error");
    expect(statusAfterFailure(op("delete"), "stopped")).toBe("error");
  });

  it("settling - a backup settles where the container is, else where the app was", () => {
    expect(statusAfterSuccess(op("backup", "running"), "")).toBe("running");
    expect(statusAfterSuccess(op("backup", "stopped"), "")).toBe("stopped");
    expect(statusAfterSuccess(op("backup", "running"), "stopped")).toBe("stopped");
    expect(statusAfterFailure(op("backup", "stopped"), "")).toBe("stopped");
    expect(statusAfterFailure(op("backup", "running"), "")).toBe("running");
    expect(statusAfterFailure(op("backup", "stopped"), "running")).toBe("running");
  });

  it("settling - a restore onto the app settles where the container is; into a new app, error on failure", () => {
    expect(statusAfterSuccess(op("restore", "error"), "stopped")).toBe("stopped");
    expect(statusAfterSuccess(op("restore", "stopped"), "running")).toBe("running");
    expect(statusAfterFailure(op("restore", "running"), "stopped")).toBe("stopped");
    expect(statusAfterFailure(op("restore", "running"), "")).toBe("error");
    expect(statusAfterFailure(op("restore", "running", true), "running")).toBe("error");
    expect(statusAfterSuccess(op("restore", "running", true), "running")).toBe("running");
  });

  it("abandoning - back to the status before; a new app made for a restore is gone", () => {
    expect(statusAfterAbandon(op("backup", "stopped"))).toBe("stopped");
    expect(statusAfterAbandon(op("restore", "error"))).toBe("error");
    expect(statusAfterAbandon(op("restore", "running"))).toBe("running");
    expect(statusAfterAbandon(op("restore", "running", true))).toBe("gone");
    for (const before of ["running", "stopped", "error"] as const) {
      expect(canTransition("restoring", statusAfterAbandon(op("restore", before)))).toBe(true);
    }
    expect(canTransition("restoring", statusAfterAbandon(op("restore", "running", true)))).toBe(true);
  });

  it("ports - a failed deploy, clone or restore into a new app gives its port back; nothing else", () => {
    const releasing = OPERATION_KINDS.filter((kind) => releasesPortOnFailure({ kind, newApp: false }));
    expect(releasing).toEqual(["deploy", "clone"]);
    expect(releasesPortOnFailure({ kind: "restore", newApp: true })).toBe(true);
  });
});
