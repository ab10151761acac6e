import { describe, expect, it } from "vitest";
import { REPORT_STALE_AFTER_MS } from "../../lib/report-age";
import { hasRunningFigures, noRunningFigure } from "./running-figures";

const CHANGED = "2025-01-03T10:00:00Z";
/** A minute after the change: samples taken since are fresh. */
const NOW = Date.parse(CHANGED) + 60_000;
const sampledAt = (sampled_at: string | null) => ({ sampled_at });
const settled = { current_operation: null, updated_at: CHANGED, attention: null };

describe("running figures", () => {
  it("belong to a running app only", () => {
    expect(hasRunningFigures({ ...settled, status: "running", metrics: null }, NOW)).toBe(true);
    for (const status of ["stopped", "stopping", "starting", "restarting", "error", "deploying"] as const)
      expect(hasRunningFigures({ ...settled, status, metrics: sampledAt(CHANGED) }, NOW), status).toBe(false);
  });

  it("wait, right after a start, for a sample newer than the start", () => {
    const started = { ...settled, status: "running" as const };
    expect(hasRunningFigures({ ...started, metrics: sampledAt("2025-01-03T09:59:00Z") }, NOW)).toBe(false);
    expect(hasRunningFigures({ ...started, metrics: sampledAt("2025-01-03T10:00:04Z") }, NOW)).toBe(true);
    expect(hasRunningFigures({ ...started, metrics: sampledAt(null) }, NOW)).toBe(true);
  });

  it("are not the app's now once its host has stopped reporting", () => {
    const running = { ...settled, status: "running" as const, metrics: sampledAt("2025-01-03T10:00:04Z") };
    const later = Date.parse("2025-01-03T10:00:04Z") + REPORT_STALE_AFTER_MS + 1;
    expect(hasRunningFigures(running, later)).toBe(false);
    expect(noRunningFigure(running, later)).toBe("Unknown while its host is not reporting");
    // A stopped app has none either way.
    expect(noRunningFigure({ ...running, status: "stopped" }, later)).toBe("None while the app is stopped");
  });

  it("blame no host for an old report while an attention explains it", () => {
    const running = { ...settled, status: "running" as const, metrics: sampledAt("2025-01-03T10:00:04Z") };
    const later = Date.parse("2025-01-03T10:00:04Z") + REPORT_STALE_AFTER_MS + 1;
    const missing = { ...running, attention: "Container 101 was not found on node pve1" };
    expect(hasRunningFigures(missing, later)).toBe(false);
    expect(noRunningFigure(missing, later)).toBe("Not measured lately");
  });

  it("say in words why there is none", () => {
    const app = { ...settled, metrics: null };
    expect(noRunningFigure({ ...app, status: "stopped" }, NOW)).toBe("None while the app is stopped");
    expect(noRunningFigure({ ...app, status: "restarting" }, NOW)).toBe("None while the app is restarting");
    expect(noRunningFigure({ ...app, status: "error" }, NOW)).toBe("None while the app is in error");
    expect(noRunningFigure({ ...app, status: "running" }, NOW)).toBe("Being measured…");
  });
});
