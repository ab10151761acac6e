import { describe, expect, it } from "vitest";
import { type AppAction, actionRefusal, canRun } from "./action-rules";

const base = { status: "running" as const, adopted: false, vmid: 101, current_operation: null };
const allowed = (app: Parameters<typeof canRun>[0]) =>
  (
    ["start", "stop", "restart", "update", "retry", "clone", "delete", "backup", "restore"] as AppAction[]
  ).filter((action) => canRun(app, action));

describe("canRun", () => {
  it("offers what fits a running or stopped app", () => {
    expect(allowed(base)).toEqual(["stop", "restart", "update", "clone", "delete", "backup", "restore"]);
    expect(allowed({ ...base, status: "stopped" })).toEqual([
      "start",
      "clone",
      "delete",
      "backup",
      "restore",
    ]);
  });

  it("updates a running app only, and tells a stopped one's owner to start it first", () => {
    expect(actionRefusal({ ...base, status: "stopped" }, "update")).toBe("Start the app to update it.");
    expect(actionRefusal(base, "update")).toBeUndefined();
  });

  it("offers nothing while an operation runs, even a backup that keeps the status", () => {
    expect(allowed({ ...base, status: "deploying" })).toEqual([]);
    expect(allowed({ ...base, current_operation: "backup" })).toEqual([]);
  });

  it("tells a failed deploy (no container) from a failed operation on a container", () => {
    expect(allowed({ ...base, status: "error", vmid: null })).toEqual(["retry", "delete"]);
    expect(allowed({ ...base, status: "error" })).toEqual(["start", "stop", "restart", "delete", "restore"]);
  });

  it("does not update or clone an adopted app", () => {
    expect(allowed({ ...base, adopted: true })).toEqual(["stop", "restart", "delete", "backup", "restore"]);
  });
});
