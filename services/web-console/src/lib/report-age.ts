import { toServerTime } from "../api/server-clock";
import type { App } from "../api/types";
import { formatDateTime } from "./format";

/**
 * How long a settled app may go without a report from its host before the console says that what
 * it shows is only the last known: 2 minutes, 8 rounds of the provisioner's observation (every
 * 15 s, OBSERVE_INTERVAL_MS), so that a round or two a busy host misses says nothing. It matches
 * the applications service's METRICS_STALE_AFTER_MS (default 2 minutes), after which the API
 * leaves an app's sample out (`metrics: null`).
 */
export const REPORT_STALE_AFTER_MS = 2 * 60_000;

export type ReportedApp = Pick<App, "status" | "current_operation" | "updated_at" | "attention"> & {
  readonly metrics: Pick<NonNullable<App["metrics"]>, "sampled_at"> | null;
};

/**
 * Whether the app's last report is old, as of `now` (ms since the epoch on the browser's clock, e.g.
 * when the app was read; compared on the server's clock, api/server-clock.ts, as the API's times
 * are). Only a settled app counts: running or stopped with no operation in flight, which its host
 * reports on every round; an operation, an error or a deletion speaks for itself.
 * - With a sample: old once the sample is older than REPORT_STALE_AFTER_MS.
 * - Without one: the API leaves out samples older than METRICS_STALE_AFTER_MS, so a long-settled
 *   app without one has not been reported on lately. A new app not observed yet has settled less
 *   than REPORT_STALE_AFTER_MS ago (its first report comes within a round or two): not old.
 * Its CPU, memory and uptime are then not the app's now (running-figures.ts), whatever the cause.
 */
export function isReportOld(app: ReportedApp, now: number): boolean {
  if (app.status !== "running" && app.status !== "stopped") return false;
  if (app.current_operation !== null) return false;
  const since = app.metrics ? app.metrics.sampled_at : app.updated_at;
  if (!since) return false;
  const at = Date.parse(since);
  return Number.isFinite(at) && toServerTime(now) - at > REPORT_STALE_AFTER_MS;
}

/**
 * Whether to say the app's host has stopped reporting on it (a host that cannot be reached
 * publishes nothing, and the app keeps the status it had): its report is old (isReportOld) and no
 * attention explains why. With one set, the host is reporting and found something amiss (e.g. the
 * container is missing, so it has no samples): the attention says so, and "no report from its
 * host" would be wrong.
 */
export function isReportStale(app: ReportedApp, now: number): boolean {
  return !app.attention && isReportOld(app, now);
}

/**
 * The stale report in words, e.g. "No report from its host since 1/3/2025, 2:02:00 PM"; "No recent
 * report from its host" once the API no longer gives the last sample's time.
 */
export function staleReportWords(app: Pick<ReportedApp, "metrics">): string {
  const sampledAt = app.metrics?.sampled_at;
  return sampledAt
    ? `No report from its host since ${formatDateTime(sampledAt)}`
    : "No recent report from its host";
}
