import { afterEach, describe, expect, it } from "vitest";
import { recordServerDate, resetServerClock, serverNow, toServerTime } from "./server-clock";

afterEach(() => resetServerClock());

describe("server clock", () => {
  it("corrects browser times by the offset an answer's Date header gives", () => {
    const receivedAt = Date.parse("2025-01-03T10:03:00Z"); // the browser runs 3 minutes fast
    recordServerDate("Fri, 03 Jan 2025 10:00:00 GMT", receivedAt);
    expect(toServerTime(receivedAt)).toBe(Date.parse("2025-01-03T10:00:00Z"));
    expect(toServerTime(receivedAt + 5_000)).toBe(Date.parse("2025-01-03T10:00:05Z"));
    expect(Math.abs(serverNow() - (Date.now() - 3 * 60_000))).toBeLessThan(1_000);
  });

  it("corrects nothing without a Date header, or with one that is not a date", () => {
    recordServerDate(null, 0);
    recordServerDate("soon", 0);
    expect(toServerTime(1_000)).toBe(1_000);
  });
});
