import { describe, expect, it } from "vitest";
import { formatFields, formatTable, formatTime } from "./table.js";

describe("formatTable", () => {
  it("table - aligns columns by their widest cell, marks empty cells, leaves no trailing space", () => {
    expect(
      formatTable(
        ["HOST", "STATE", "NOTE"],
        [
          ["host-1", "open", ""],
          ["h2", "closed", "long note"],
        ],
      ),
    ).toBe(["HOST    STATE   NOTE", "host-1  open    -", "h2      closed  long note"].join("\n"));
  });

  it("fields - aligns values after their keys", () => {
    expect(
      formatFields([
        ["seq", "12"],
        ["operation", ""],
      ]),
    ).toBe("seq:       12\noperation: -");
  });

  it("time - to the second in UTC, or a dash", () => {
    expect(formatTime(new Date("2026-01-10T12:00:01.250Z"))).toBe("2026-01-10T12:00:01Z");
    expect(formatTime(undefined)).toBe("-");
  });
});
