import { describe, expect, it } from "vitest";
import { hasRunningFigures, noRunningFigure } from "./running-figures";

describe("running figures", () => {
  it("belong to a running app only", () => {
    expect(hasRunningFigures({ status: "running" })).toBe(true);
    for (const status of ["stopped", "stopping", "starting", "restarting", "error", "deploying"] as const)
      expect(hasRunningFigures({ status }), status).toBe(false);
  });

  it("say in words why there is none", () => {
    expect(noRunningFigure({ status: "stopped" })).toBe("None while the app is stopped");
    expect(noRunningFigure({ status: "restarting" })).toBe("None while the app is restarting");
    expect(noRunningFigure({ status: "error" })).toBe("None while the app is in error");
  });
});
