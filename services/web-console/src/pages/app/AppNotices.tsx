import type { App, Host } from "../../api/types";

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
