import { Link, NavLink, Route, Routes, useParams } from "react-router";
import { asApiError } from "../../api/errors";
import type { App } from "../../api/types";
import { useCurrentUser } from "../../auth/session";
import { Page } from "../../components/Page";
import { Empty, ErrorState, Loading, NotFound } from "../../components/States";
import { StatusBadge } from "../../components/StatusBadge";
import { AppActions } from "./AppActions";
import { AppBackups } from "./AppBackups";
import { AttentionNotice, ErrorNotice, HostNotice, ReportNotice } from "./AppNotices";
import { AppOverview } from "./AppOverview";
import { useAppQuery, useHostQuery } from "./app-queries";
import { useAppEvents } from "./useAppEvents";
import "./app.css";
import { useAppsTitle } from "../../auth/apps-title";

function useIsAdmin(): boolean {
  return useCurrentUser().is_admin;
}

/** The status in words, its message and the operation under way; announced as it changes. */
function StatusLine({ app }: { readonly app: App }) {
  return (
    <span className="status-line" role="status">
      <StatusBadge status={app.status} />
      {app.status_message ? <span>{app.status_message}</span> : null}
      {app.current_operation ? <span className="muted">({app.current_operation} in progress)</span> : null}
    </span>
  );
}

function AppNotFound() {
  const appsTitle = useAppsTitle();
  return (
    <Page title="App not found">
      <NotFound title="Not found or not yours" back={{ to: "/apps", label: `Go to ${appsTitle}` }}>
        <p>There is no app at this address, or it belongs to someone else.</p>
      </NotFound>
    </Page>
  );
}

function Deleted({ hostname }: { readonly hostname: string | undefined }) {
  const appsTitle = useAppsTitle();
  const isAdmin = useCurrentUser().is_admin;
  return (
    <Page title={hostname ?? "App deleted"}>
      <div className="state state-empty" role="status">
        <h2>This app was deleted</h2>
        <p>Its container and settings are gone.</p>
        {isAdmin ? (
          <p>
            If its backups were kept, they are under Admin →{" "}
            <Link to="/admin/backups">Backups of deleted apps</Link>, where they can be restored into a new
            app.
          </p>
        ) : (
          <p>If its backups were kept, only an administrator can restore them: ask one.</p>
        )}
        <Link className="button" to="/apps">
          Go to {appsTitle}
        </Link>
      </div>
    </Page>
  );
}

/**
 * /apps/:appId/* — one app: its overview with live activity (index) and its backups (backups).
 * The event stream stays open across both, so status changes show wherever the reader is.
 */
export function AppPage() {
  const { appId = "" } = useParams();
  const isAdmin = useIsAdmin();
  const query = useAppQuery(appId);
  const app = query.data;
  const error = query.error ? asApiError(query.error) : undefined;
  // A 404 after the app was shown: it was deleted (perhaps before the stream could say so).
  const vanished = app !== undefined && error?.status === 404;
  const events = useAppEvents(appId, { enabled: app !== undefined && !vanished });
  const host = useHostQuery({ id: appId, host_id: app?.host_id ?? null }, isAdmin);

  if (vanished || events.status?.status === "deleted") return <Deleted hostname={app?.hostname} />;
  if (app === undefined) {
    if (error?.status === 404) return <AppNotFound />;
    return (
      <Page title="App">
        {error ? (
          <ErrorState error={error} retry={() => void query.refetch()} />
        ) : (
          <Loading label="Loading the app…" />
        )}
      </Page>
    );
  }

  const base = `/apps/${encodeURIComponent(appId)}`;
  // When the app was last read: each refresh (every few seconds) moves it on, so the page says so
  // without a reload once the app's host stops reporting.
  const readAt = query.dataUpdatedAt;
  return (
    <Page title={app.hostname} lead={<StatusLine app={app} />}>
      {error ? (
        <p className="notice notice-warning" role="alert">
          Could not refresh the app ({error.message}); showing what was last known.
        </p>
      ) : null}
      <AttentionNotice app={app} />
      <ErrorNotice app={app} />
      <HostNotice app={app} host={host.data} />
      <ReportNotice app={app} host={host.data} now={readAt} />
      <AppActions app={app} isAdmin={isAdmin} />
      <nav className="tabs" aria-label="Sections of this app">
        <NavLink end to={base}>
          Overview
        </NavLink>
        <NavLink to={`${base}/backups`}>Backups</NavLink>
      </nav>
      <Routes>
        <Route index element={<AppOverview app={app} host={host.data} events={events} now={readAt} />} />
        <Route path="backups" element={<AppBackups app={app} isAdmin={isAdmin} />} />
        <Route
          path="*"
          element={
            <Empty title="This app has no such section">
              <Link to={base}>Go to the app's overview</Link>
            </Empty>
          }
        />
      </Routes>
    </Page>
  );
}
