import { describe, expect, it } from "vitest";
import { formatBytes, formatDateTimeIn, formatDuration, formatPercent } from "./format";

describe("format", () => {
  it("writes bytes in binary units without a needless decimal", () => {
    expect(formatBytes(8 * 1024 ** 3)).toBe("8 GiB");
    expect(formatBytes(1.5 * 1024 ** 2)).toBe("1.5 MiB");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(null)).toBe("—");
  });

  it("writes fractions as percentages and durations in the largest units", () => {
    expect(formatPercent(0.045)).toBe("4.5 %");
    expect(formatPercent(0.5)).toBe("50 %");
    expect(formatDuration(3 * 86_400 + 4 * 3_600)).toBe("3 d 4 h");
    expect(formatDuration(-1)).toBe("—");
  });

  it("writes a time on the clock of a given time zone, naming it", () => {
    const iso = "2025-01-03T03:00:00Z";
    const berlin = new Date(iso).toLocaleString(undefined, { timeZone: "Europe/Berlin" });
    expect(formatDateTimeIn(iso, "Europe/Berlin")).toBe(`${berlin} Europe/Berlin`);
    expect(berlin).not.toBe(new Date(iso).toLocaleString(undefined, { timeZone: "UTC" }));
    expect(formatDateTimeIn(iso, "Not/AZone")).toBe(`${new Date(iso).toLocaleString()} (your time)`);
    expect(formatDateTimeIn(null, "UTC")).toBe("—");
  });
});
