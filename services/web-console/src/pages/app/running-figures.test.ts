import { describe, expect, it } from "vitest";
import { hasRunningFigures, noRunningFigure } from "./running-figures";

const CHANGED = "2025-01-03T10:00:00Z";
const sampledAt = (sampled_at: string | null) => ({ sampled_at });

describe("running figures", () => {
  it("belong to a running app only", () => {
    expect(hasRunningFigures({ status: "running", updated_at: CHANGED, metrics: null })).toBe(true);
    for (const status of ["stopped", "stopping", "starting", "restarting", "error", "deploying"] as const)
      expect(hasRunningFigures({ status, updated_at: CHANGED, metrics: sampledAt(CHANGED) }), status).toBe(
        false,
      );
  });

  it("wait, right after a start, for a sample newer than the start", () => {
    const started = { status: "running" as const, updated_at: CHANGED };
    expect(hasRunningFigures({ ...started, metrics: sampledAt("2025-01-03T09:59:00Z") })).toBe(false);
    expect(hasRunningFigures({ ...started, metrics: sampledAt("2025-01-03T10:00:04Z") })).toBe(true);
    expect(hasRunningFigures({ ...started, metrics: sampledAt(null) })).toBe(true);
  });

  it("say in words why there is none", () => {
    expect(noRunningFigure({ status: "stopped" })).toBe("None while the app is stopped");
    expect(noRunningFigure({ status: "restarting" })).toBe("None while the app is restarting");
    expect(noRunningFigure({ status: "error" })).toBe("None while the app is in error");
    expect(noRunningFigure({ status: "running" })).toBe("Being measured…");
  });
});
