import { describe, expect, it } from "vitest";
import { APP_STATUSES, type AppStatus, canTransition } from "./app-status.js";
import {
  type AppAction,
  IN_FLIGHT_STATUS,
  OPERATION_KINDS,
  planAction,
  statusAfterFailure,
  statusAfterSuccess,
} from "./operations.js";

const ACTIONS: readonly AppAction[] = ["start", "stop", "restart", "update", "retry", "delete", "clone"];

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
  },
  stopped: {
    start: "→ starting",
    stop: "Cannot stop the app: it is already stopped",
    restart: "Cannot restart the app: it is stopped; start it instead",
    update: "→ updating",
    retry: "Cannot retry the deployment: the app is stopped; only a failed app can be retried",
    delete: "→ removing",
    clone: "→ stopped",
  },
  error: {
    // The table's app has container 104: power actions bring it back in hand; a retry would make a
    // second container.
    start: "→ starting",
    stop: "→ stopping",
    restart: "→ restarting",
    update: "Cannot update the app: it is in error; start, stop or delete the app",
    retry:
      "Cannot retry the deployment: the app already has container 104; delete the app and deploy it again",
    delete: "→ removing",
    clone: "Cannot clone the app: it is in error; start, stop or delete the app",
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
      },
    ]),
  ),
} as Record<AppStatus, Record<AppAction, string>>;

const outcome = (plan: ReturnType<typeof planAction>) => (plan.ok ? `→ ${plan.to}` : plan.reason);

describe("operations", () => {
  const pairs = APP_STATUSES.flatMap((status) => ACTIONS.map((action) => [status, action] as const));

  it.each(pairs)("planAction - %s + %s", (status, action) => {
    const plan = planAction({ status, adopted: false, vmid: 104 }, action);
    expect(outcome(plan)).toBe(EXPECTED[status][action]);
    // Every accepted action is an allowed edge of the state machine (a clone keeps the source's status).
    if (plan.ok && action !== "clone") expect(canTransition(status, plan.to)).toBe(true);
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

  it("planAction - an app without a container cannot be cloned", () => {
    expect(outcome(planAction({ status: "stopped", adopted: false, vmid: null }, "clone"))).toBe(
      "Cannot clone the app: it has no container yet",
    );
  });

  it("settling - every outcome is an allowed edge from the kind's in-flight status", () => {
    for (const kind of OPERATION_KINDS) {
      for (const container of ["running", "stopped", ""] as const) {
        const from = IN_FLIGHT_STATUS[kind];
        expect(canTransition(from, statusAfterSuccess(kind, container))).toBe(true);
        expect(canTransition(from, statusAfterFailure(kind, container))).toBe(true);
      }
    }
  });

  it("settling - results by kind and container status", () => {
    expect(statusAfterSuccess("stop", "")).toBe("stopped");
    expect(statusAfterSuccess("delete", "")).toBe("gone");
    expect(statusAfterSuccess("adopt", "stopped")).toBe("stopped");
    expect(statusAfterSuccess("adopt", "running")).toBe("running");
    expect(statusAfterSuccess("clone", "stopped")).toBe("running");
    // An update rolled back leaves the app running as before; a start that failed, stopped.
    expect(statusAfterFailure("update", "running")).toBe("running");
    expect(statusAfterFailure("start", "stopped")).toBe("stopped");
    expect(statusAfterFailure("restart", "")).toBe("error");
    expect(statusAfterFailure("deploy", "running")).toBe("error");
    expect(statusAfterFailure("delete", "stopped")).toBe("error");
  });
});
