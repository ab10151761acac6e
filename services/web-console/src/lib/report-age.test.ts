import { afterEach, describe, expect, it } from "vitest";
import { recordServerDate, resetServerClock } from "../api/server-clock";
import type { App } from "../api/types";
import { formatDateTime } from "./format";
import {
  isReportOld,
  isReportStale,
  REPORT_STALE_AFTER_MS,
  type ReportedApp,
  staleReportWords,
} from "./report-age";

const NOW = Date.parse("2025-01-03T10:00:00Z");
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const LONG_AGO = ago(60 * 60_000);

/** A running app settled an hour ago, last sampled `sampledMsAgo` ago (null: no sample given). */
function app(sampledMsAgo: number | null, overrides: Partial<ReportedApp> = {}): ReportedApp {
  return {
    status: "running",
    current_operation: null,
    updated_at: LONG_AGO,
    attention: null,
    metrics: sampledMsAgo === null ? null : { sampled_at: ago(sampledMsAgo) },
    ...overrides,
  };
}

describe("isReportStale", () => {
  it("is 2 minutes: 8 rounds of observation every 15 s", () => {
    expect(REPORT_STALE_AFTER_MS).toBe(8 * 15_000);
  });

  it("holds for a settled app whose last sample is older than the threshold, not at it", () => {
    expect(isReportStale(app(10_000), NOW)).toBe(false);
    expect(isReportStale(app(REPORT_STALE_AFTER_MS), NOW)).toBe(false);
    expect(isReportStale(app(REPORT_STALE_AFTER_MS + 1), NOW)).toBe(true);
    expect(isReportStale(app(REPORT_STALE_AFTER_MS + 1, { status: "stopped" }), NOW)).toBe(true);
  });

  it("becomes true as time passes, with no new sample", () => {
    const quiet = app(0);
    expect(isReportStale(quiet, NOW + REPORT_STALE_AFTER_MS)).toBe(false);
    expect(isReportStale(quiet, NOW + REPORT_STALE_AFTER_MS + 1_000)).toBe(true);
  });

  it("never holds while an operation runs, in error, or for a deleted app", () => {
    const old = REPORT_STALE_AFTER_MS * 10;
    for (const status of ["deploying", "starting", "stopping", "restarting", "updating", "error"] as const)
      expect(isReportStale(app(old, { status }), NOW), status).toBe(false);
    // The API answers 404 for a gone app; should one ever be listed, it is not reported on.
    expect(isReportStale(app(old, { status: "gone" as string as App["status"] }), NOW)).toBe(false);
    expect(isReportStale(app(old, { current_operation: "backup" }), NOW)).toBe(false);
  });

  it("never holds for a new app not observed yet, nor for a sample without a time", () => {
    expect(isReportStale(app(null, { updated_at: ago(20_000) }), NOW)).toBe(false);
    expect(isReportStale(app(null, { updated_at: ago(REPORT_STALE_AFTER_MS) }), NOW)).toBe(false);
    expect(isReportStale(app(null, { updated_at: null }), NOW)).toBe(false);
    expect(isReportStale({ ...app(null), metrics: { sampled_at: null } }, NOW)).toBe(false);
    expect(isReportStale(app(null, { updated_at: "not a time" }), NOW)).toBe(false);
  });

  it("holds for a long-settled app without a sample: the API leaves out samples that old", () => {
    expect(isReportStale(app(null), NOW)).toBe(true);
    expect(isReportStale(app(null, { updated_at: ago(REPORT_STALE_AFTER_MS + 1) }), NOW)).toBe(true);
  });
});

describe("an app that needs attention", () => {
  it("is not said to be unreported by its host, though its report is old", () => {
    // A missing container has no samples while its host keeps reporting: the attention says so.
    const missing = app(REPORT_STALE_AFTER_MS * 10, {
      attention: "Container 101 was not found on node pve1",
    });
    expect(isReportOld(missing, NOW)).toBe(true);
    expect(isReportStale(missing, NOW)).toBe(false);
    expect(isReportStale({ ...missing, attention: null }, NOW)).toBe(true);
  });
});

describe("report age against the server's clock", () => {
  afterEach(() => resetServerClock());

  it("is not stale when only the browser's clock is ahead of the server's", () => {
    const browserNow = NOW + 3 * 60_000; // the browser's clock runs 3 minutes fast
    const fresh = app(10_000);
    expect(isReportStale(fresh, browserNow)).toBe(true); // as it would read without the server's Date
    recordServerDate(new Date(NOW).toUTCString(), browserNow);
    expect(isReportStale(fresh, browserNow)).toBe(false);
    expect(isReportStale(app(REPORT_STALE_AFTER_MS + 1_000), browserNow)).toBe(true);
  });

  it("is stale when the browser's clock is behind and the server's says the report is old", () => {
    const browserNow = NOW - 3 * 60_000;
    const old = app(REPORT_STALE_AFTER_MS + 10_000);
    expect(isReportStale(old, browserNow)).toBe(false);
    recordServerDate(new Date(NOW).toUTCString(), browserNow);
    expect(isReportStale(old, browserNow)).toBe(true);
  });

  it("keeps the browser's clock without a usable Date header", () => {
    recordServerDate(null, NOW + 3 * 60_000);
    recordServerDate("not a date", NOW + 3 * 60_000);
    expect(isReportStale(app(10_000), NOW)).toBe(false);
    expect(isReportStale(app(REPORT_STALE_AFTER_MS + 1), NOW)).toBe(true);
  });
});

describe("staleReportWords", () => {
  it("gives the last sample's time when the API still has it", () => {
    const sampled = app(5 * 60_000);
    expect(staleReportWords(sampled)).toBe(
      `No report from its host since ${formatDateTime(sampled.metrics?.sampled_at)}`,
    );
    expect(staleReportWords(app(null))).toBe("No recent report from its host");
  });
});
