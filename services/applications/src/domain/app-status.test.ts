import { InvalidTransitionError } from "@proximity/errors";
import { describe, expect, it } from "vitest";
import { APP_STATUSES, type AppStatus, assertTransition, canTransition, isInFlight } from "./app-status.js";

/** The state machine of docs (common brief), written out: every allowed edge and nothing else. */
const ALLOWED: Readonly<Record<AppStatus, readonly AppStatus[]>> = {
  deploying: ["running", "error"],
  running: ["stopping", "restarting", "updating", "removing"],
  stopped: ["starting", "updating", "removing"],
  starting: ["running", "stopped", "error"],
  stopping: ["stopped", "running", "error"],
  restarting: ["running", "stopped", "error"],
  updating: ["running", "stopped", "error"],
  cloning: ["running", "error"],
  adopting: ["running", "stopped", "error"],
  removing: ["gone", "error"],
  error: ["deploying", "starting", "stopping", "restarting", "removing"],
  gone: [],
};

const pairs = APP_STATUSES.flatMap((from) => APP_STATUSES.map((to) => [from, to] as const));

describe("app-status", () => {
  it.each(pairs)("app-status - %s → %s follows the table", (from, to) => {
    const allowed = ALLOWED[from].includes(to);
    expect(canTransition(from, to)).toBe(allowed);
    if (allowed) expect(() => assertTransition(from, to)).not.toThrow();
    else expect(() => assertTransition(from, to)).toThrow(InvalidTransitionError);
  });

  it("app-status - in-flight statuses are the -ing ones, and each can fail into error", () => {
    const inFlight = APP_STATUSES.filter(isInFlight);
    expect([...inFlight].sort()).toEqual([
      "adopting",
      "cloning",
      "deploying",
      "removing",
      "restarting",
      "starting",
      "stopping",
      "updating",
    ]);
    for (const status of inFlight) expect(canTransition(status, "error")).toBe(true);
  });
});
