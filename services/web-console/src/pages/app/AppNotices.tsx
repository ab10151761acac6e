import type { App, Host } from "../../api/types";
import { isReportStale, staleReportWords } from "../../lib/report-age";

/** What needs the owner's attention (raised by reconciliation or a timed-out operation). */
export function AttentionNotice({ app }: { readonly app: App }) {
  if (!app.attention) return null;
  return (
    <div className="notice notice-warning app-notice" role="alert">
      <h2>Needs attention</h2>
      <p>{app.attention}</p>
    </div>
  );
}

/** An app in error: why, and what can bring it back. */
export function ErrorNotice({ app }: { readonly app: App }) {
  if (app.status !== "error") return null;
  const remedy =
    app.vmid === null
      ? app.adopted
        ? "You can delete it."
        : "You can retry the deployment or delete it."
      : "You can start, stop or delete it, or restore a backup.";
  return (
    <div className="notice notice-error app-notice">
      <h2>This app is in error</h2>
      <p>
        {app.status_message ? "Its status above says why" : "The activity log says why"}. {remedy}
      </p>
    </div>
  );
}

/** The app's host is unreachable or its node offline, as the hosts service last found them. */
function isHostDown(app: App, host: Host | undefined): boolean {
  if (!host) return false;
  if (host.status === "unreachable") return true;
  return host.nodes.some((node) => node.name === app.node && node.status === "offline");
}

/** For admins, who can see hosts: the app's host or node is down, so figures may be stale. */
export function HostNotice({ app, host }: { readonly app: App; readonly host: Host | undefined }) {
  if (!host) return null;
  const node = host.nodes.find((candidate) => candidate.name === app.node);
  if (host.status === "unreachable") {
    return (
      <div className="notice notice-warning app-notice" role="alert">
        <h2>Host {host.name} is unreachable</h2>
        <p>
          {host.last_check_error ? `${host.last_check_error}. ` : ""}
          The app's status and usage may be out of date, and actions may fail until the host is back.
        </p>
      </div>
    );
  }
  if (node?.status === "offline") {
    return (
      <div className="notice notice-warning app-notice" role="alert">
        <h2>Node {node.name} is offline</h2>
        <p>The app's status and usage may be out of date, and actions may fail until the node is back.</p>
      </div>
    );
  }
  return null;
}

interface ReportNoticeProps {
  readonly app: App;
  /** The app's host, for admins: when HostNotice says it is down, this notice would say it again. */
  readonly host: Host | undefined;
  /** When the app was read (ms since the epoch). */
  readonly now: number;
}

/**
 * For everyone: the app's host has stopped reporting on it (lib/report-age), so its status is the
 * last known. Not while the app needs attention: AttentionNotice says what is amiss. A polite
 * status region: it appears once, when the reports stop, not at each refresh.
 */
export function ReportNotice({ app, host, now }: ReportNoticeProps) {
  if (!isReportStale(app, now) || isHostDown(app, host)) return null;
  return (
    <div className="notice notice-warning app-notice" role="status">
      <h2>{staleReportWords(app)}</h2>
      <p>
        Its host may be down. The status and usage shown are the last known, and actions may fail until the
        host reports again.
      </p>
    </div>
  );
}
