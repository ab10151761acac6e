import { statusLabel } from "../../components/StatusBadge";
import { isReportOld, isReportStale, type ReportedApp } from "../../lib/report-age";

/**
 * Whether CPU, memory and uptime describe the app now. They are figures of a running container,
 * and the API keeps an app's last sample until the next one (seconds later): right after a stop it
 * still holds the running figures, and right after a start the figures from before the stop. So
 * they are shown for a running app whose sample is newer than its last change of status
 * (`updated_at` moves with every status change; samples live apart and do not move it). Disk use
 * outlasts a stop and is shown from the last sample whatever the status. Once the app's last report
 * is old (as of `now`, lib/report-age), its last figures are not the app's now either.
 */
export function hasRunningFigures(app: ReportedApp, now: number): boolean {
  if (app.status !== "running" || isReportOld(app, now)) return false;
  const sampled = app.metrics?.sampled_at;
  if (!sampled || !app.updated_at) return true;
  return Date.parse(sampled) >= Date.parse(app.updated_at);
}

/**
 * Said in place of a running figure, e.g. "None while the app is stopped". An old report is blamed
 * on the host only when no attention explains it (lib/report-age, as the notices do).
 */
export function noRunningFigure(app: ReportedApp, now: number): string {
  if (app.status === "running") {
    if (isReportStale(app, now)) return "Unknown while its host is not reporting";
    return isReportOld(app, now) ? "Not measured lately" : "Being measured…";
  }
  return app.status === "error"
    ? "None while the app is in error"
    : `None while the app is ${statusLabel(app.status).toLowerCase()}`;
}
