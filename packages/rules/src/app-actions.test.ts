import { describe, expect, it } from "vitest";
import { APP_ACTIONS, type AppAction, type AppActionIssue, appActionIssue } from "./app-actions.js";

const BUSY = [
  "deploying",
  "starting",
  "stopping",
  "restarting",
  "updating",
  "cloning",
  "adopting",
  "removing",
  "restoring",
  "gone",
];

/** The answer for every settled status and action, for an app with a container (vmid 104). */
const WITH_CONTAINER: Readonly<Record<string, Readonly<Record<AppAction, AppActionIssue | "ok">>>> = {
  running: {
    start: "status",
    stop: "ok",
    restart: "ok",
    update: "ok",
    retry: "status",
    delete: "ok",
    clone: "ok",
    backup: "ok",
    restore: "ok",
  },
  stopped: {
    start: "ok",
    stop: "status",
    restart: "status",
    update: "status",
    retry: "status",
    delete: "ok",
    clone: "ok",
    backup: "ok",
    restore: "ok",
  },
  error: {
    start: "ok",
    stop: "ok",
    restart: "ok",
    update: "status",
    retry: "has-container",
    delete: "ok",
    clone: "status",
    backup: "status",
    restore: "ok",
  },
};

const answer = (issue: AppActionIssue | undefined) => issue ?? "ok";

describe("appActionIssue", () => {
  const settled = Object.keys(WITH_CONTAINER).flatMap((status) =>
    APP_ACTIONS.map((action) => [status, action] as const),
  );

  it.each(settled)("appActionIssue - %s + %s (with a container)", (status, action) => {
    expect(answer(appActionIssue({ status, adopted: false, vmid: 104 }, action))).toBe(
      WITH_CONTAINER[status]?.[action],
    );
  });

  it("appActionIssue - nothing starts on a busy or deleted app", () => {
    for (const status of BUSY)
      for (const action of APP_ACTIONS)
        expect(appActionIssue({ status, adopted: false, vmid: 104 }, action), `${status} ${action}`).toBe(
          "status",
        );
  });

  it("appActionIssue - a failed deploy without a container can be retried or deleted, nothing else", () => {
    const failed = { status: "error", adopted: false, vmid: null };
    const answers = Object.fromEntries(
      APP_ACTIONS.map((action) => [action, answer(appActionIssue(failed, action))]),
    );
    expect(answers).toEqual({
      start: "no-container",
      stop: "no-container",
      restart: "no-container",
      update: "status",
      retry: "ok",
      delete: "ok",
      clone: "status",
      backup: "status",
      restore: "no-container",
    });
  });

  it("appActionIssue - clone, backup and restore need a container whatever the status", () => {
    for (const action of ["clone", "backup", "restore"] as const)
      expect(appActionIssue({ status: "running", adopted: false, vmid: null }, action)).toBe("no-container");
  });

  it("appActionIssue - an adopted app is not updated, retried nor cloned; the rest works", () => {
    const adopted = { status: "running", adopted: true, vmid: 150 };
    expect(appActionIssue(adopted, "update")).toBe("adopted");
    expect(appActionIssue(adopted, "clone")).toBe("adopted");
    expect(appActionIssue({ ...adopted, status: "error", vmid: null }, "retry")).toBe("adopted");
    for (const action of ["stop", "restart", "delete", "backup", "restore"] as const)
      expect(appActionIssue(adopted, action), action).toBeUndefined();
  });

  it("appActionIssue - a missing container is said before adoption (there is nothing to clone)", () => {
    expect(appActionIssue({ status: "running", adopted: true, vmid: null }, "clone")).toBe("no-container");
  });
});
