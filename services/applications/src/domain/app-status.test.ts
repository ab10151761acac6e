import { InvalidTransitionError } from "@proximity/errors";
import { describe, expect, it } from "vitest";
import { APP_STATUSES, type AppStatus, assertTransition, canTransition, isInFlight } from "./app-status.js";

/** The state machine of docs (common brief), written out: every allowed edge and nothing else. */
const ALLOWED: Readonly<Record<AppStatus, readonly AppStatus[]>> = {
  deploying: ["running", "error"],
  // running ⇄ stopped: a backup settles where vzdump left the container.
  running: ["stopping", "restarting", "updating", "removing", "restoring", "stopped"],
  stopped: ["starting", "updating", "removing", "restoring", "running"],
  starting: ["running", "stopped", "error"],
  stopping: ["stopped", "running", "error"],
  restarting: ["running", "stopped", "error"],
  updating: ["running", "stopped", "error"],
  cloning: ["running", "error"],
  adopting: ["running", "stopped", "error"],
  removing: ["gone", "error"],
  // gone: a restore into a new app abandoned before the provisioner heard of it.
  restoring: ["running", "stopped", "error", "gone"],
  error: ["deploying", "starting", "stopping", "restarting", "removing", "restoring"],
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
      "restoring",
      "starting",
      "stopping",
      "updating",
    ]);
    for (const status of inFlight) expect(canTransition(status, "error")).toBe(true);
  });
});
