import { InvalidTransitionError } from "@proximity/errors";
import { describe, expect, it } from "vitest";
import {
  APP_STATUSES,
  type AppStatus,
  assertTransition,
  canTransition,
  isInFlight,
  statusAfterSuccess,
} from "./app-status.js";

const allowed: [AppStatus, AppStatus][] = [
  ["deploying", "running"],
  ["deploying", "error"],
  ["running", "stopping"],
  ["stopping", "stopped"],
  ["stopped", "starting"],
  ["starting", "running"],
  ["running", "updating"],
  ["stopped", "updating"],
  ["updating", "running"],
  ["updating", "error"],
  ["cloning", "running"],
  ["running", "removing"],
  ["stopped", "removing"],
  ["removing", "gone"],
  ["error", "deploying"],
  ["error", "removing"],
];

const refused: [AppStatus, AppStatus][] = [
  ["deploying", "stopped"],
  ["deploying", "removing"],
  ["running", "stopped"],
  ["running", "deploying"],
  ["stopped", "running"],
  ["error", "running"],
  ["gone", "deploying"],
  ["gone", "running"],
  ["removing", "running"],
  ["running", "running"],
];

describe("app-status", () => {
  it.each(allowed)("app-status - allows %s → %s", (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(refused)("app-status - refuses %s → %s with InvalidTransitionError", (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(() => assertTransition(from, to)).toThrow(InvalidTransitionError);
  });

  it("app-status - gone is terminal", () => {
    for (const to of APP_STATUSES) expect(canTransition("gone", to)).toBe(false);
  });

  it("app-status - every in-flight status can fail into error and succeeds into an allowed status", () => {
    const inFlight = APP_STATUSES.filter(isInFlight);
    expect(inFlight.sort()).toEqual(["cloning", "deploying", "removing", "starting", "stopping", "updating"]);
    for (const status of inFlight) {
      expect(canTransition(status, "error")).toBe(true);
      expect(canTransition(status, statusAfterSuccess(status))).toBe(true);
    }
  });

  it("app-status - a settled status has no success outcome", () => {
    expect(statusAfterSuccess("deploying")).toBe("running");
    expect(statusAfterSuccess("stopping")).toBe("stopped");
    expect(() => statusAfterSuccess("running")).toThrow(InvalidTransitionError);
  });
});
