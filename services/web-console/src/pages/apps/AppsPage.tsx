import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, useSearchParams } from "react-router";
import { api } from "../../api/client";
import { asApiError, unwrap } from "../../api/errors";
import type { App, AppPage } from "../../api/types";
import { useCurrentUser } from "../../auth/session";
import { Button } from "../../components/Button";
import { Page } from "../../components/Page";
import { Empty, ErrorState, InlineError, Loading } from "../../components/States";
import { isBusy } from "../../components/StatusBadge";
import { useFirstUsers } from "../admin/users/user-queries";
import { useCatalogNames } from "../store/catalog-queries";
import { AppsFilters } from "./AppsFilters";
import { AppsTable } from "./AppsTable";
import { appStatusFrom } from "./appStatuses";
import { type CursorPaging, useCursorPaging } from "./useCursorPaging";
import "./apps.css";

export const APPS_PER_PAGE = 50;
/** Refresh while nothing changes, and while an operation runs on a listed app. */
export const REFRESH_MS = 5_000;
export const BUSY_REFRESH_MS = 2_000;

/** How often the list refreshes: faster while an operation runs on one of the listed apps. */
export function refreshIntervalFor(apps: readonly Pick<App, "status">[]): number {
  return apps.some((app) => isBusy(app.status)) ? BUSY_REFRESH_MS : REFRESH_MS;
}

const deployLink = (
  <Link className="button button-primary" to="/store">
    Deploy an app
  </Link>
);

/**
 * Username by user id, for an admin (who sees every user's apps and must see whose each is); the
 * first users only — beyond, the owner is shown by id. Nothing is asked for anyone else.
 */
function useOwnerNames(isAdmin: boolean): ReadonlyMap<string, string> | undefined {
  const users = useFirstUsers({ enabled: isAdmin });
  if (!isAdmin) return undefined;
  return new Map(users.data?.items.map((user) => [user.id, user.username]));
}

/** Your apps (every app for an admin), newest first, refreshed live while the tab is visible. */
export function AppsPage() {
  const me = useCurrentUser();
  const ownerNames = useOwnerNames(me.is_admin);
  const [params, setParams] = useSearchParams();
  const search = params.get("search") ?? "";
  const status = appStatusFrom(params.get("status"));
  const paging = useCursorPaging(APPS_PER_PAGE);
  const catalogNames = useCatalogNames();
  const apps = useQuery({
    queryKey: ["apps", "list", { status, search, cursor: paging.cursor }],
    queryFn: () =>
      unwrap(
        api.GET("/api/apps", {
          params: {
            query: {
              per_page: APPS_PER_PAGE,
              status,
              search: search || undefined,
              cursor: paging.cursor || undefined,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
    // Paused while the tab is hidden (react-query's refetchIntervalInBackground is false).
    refetchInterval: (query) => refreshIntervalFor(query.state.data?.items ?? []),
  });
  const filtered = Boolean(search || status);
  const clearFilters = () => setParams(new URLSearchParams());

  let content: ReactNode;
  if (apps.isPending) {
    content = <Loading label="Loading your apps…" />;
  } else if (apps.isError && !apps.data) {
    const error = asApiError(apps.error);
    content = error.fieldMessage("cursor") ? (
      <Empty title="This page of the list is no longer valid">
        <p>The link points into the list at a position Proximity does not know.</p>
        <button type="button" className="button" onClick={paging.first}>
          Go to the first page
        </button>
      </Empty>
    ) : (
      <ErrorState error={error} retry={() => apps.refetch()} />
    );
  } else if (apps.data.items.length === 0) {
    content = <NoApps filtered={filtered} paging={paging} onClear={clearFilters} />;
  } else {
    // Each refresh moves it on, so an app whose host stopped reporting says so without a reload; a
    // page shown with the previous page's answer (placeholder data) has no time of its own yet.
    const readAt = apps.dataUpdatedAt || Date.now();
    content = (
      <section aria-label="App list" aria-busy={apps.isFetching && apps.isPlaceholderData}>
        {apps.isError ? (
          <div className="apps-refresh-error">
            <p>The list could not be refreshed; it shows the last answer.</p>
            <InlineError error={apps.error} />
          </div>
        ) : null}
        <AppsTable
          apps={apps.data.items}
          catalogNames={catalogNames}
          owners={ownerNames && { names: ownerNames, me: me.id }}
          now={readAt}
        />
        <AppsPager data={apps.data} paging={paging} />
      </section>
    );
  }

  return (
    <Page
      title={me.is_admin ? "All apps" : "My apps"}
      lead={
        me.is_admin
          ? "As an administrator you see every user's apps, refreshed live: the Owner column says whose each is."
          : "Everything you have deployed, refreshed live."
      }
      actions={deployLink}
    >
      <AppsFilters />
      {content}
    </Page>
  );
}

interface NoAppsProps {
  readonly filtered: boolean;
  readonly paging: CursorPaging;
  onClear(): void;
}

function NoApps({ filtered, paging, onClear }: NoAppsProps) {
  const isAdmin = useCurrentUser().is_admin;
  if (paging.cursor) {
    return (
      <Empty title="No more apps">
        <p>The apps that were on this page have been removed.</p>
        <button type="button" className="button" onClick={paging.first}>
          Go to the first page
        </button>
      </Empty>
    );
  }
  if (filtered) {
    return (
      <Empty title="No app matches these filters">
        <p>
          {isAdmin ? "None of the apps" : "None of your apps"} has this status or a host name containing these
          words.
        </p>
        <button type="button" className="button" onClick={onClear}>
          Clear filters
        </button>
      </Empty>
    );
  }
  return (
    <Empty title="No apps yet">
      <p>Pick an app in the store and deploy it: it shows up here while it is being set up.</p>
      <Link className="button button-primary" to="/store">
        Browse the store
      </Link>
    </Empty>
  );
}

/** "1–50 of 10,000", and the way to the pages around this one. */
function AppsPager({ data, paging }: { readonly data: AppPage; readonly paging: CursorPaging }) {
  const total = data.total.toLocaleString();
  const shown = data.items.length;
  const range = pagerRange(paging.offset, shown, data.total, total);
  const nextCursor = data.next_cursor;
  return (
    <nav className="pager" aria-label="Pages of my apps">
      {/* Unavailable, not disabled: on the last page the Next just pressed keeps the focus. */}
      <Button className="button" unavailable={!paging.hasPrevious} onClick={paging.previous}>
        Previous page
      </Button>
      <p role="status" className="pager-range">
        {range}
      </p>
      <Button
        className="button"
        unavailable={!nextCursor}
        onClick={() => nextCursor && paging.next(nextCursor)}
      >
        Next page
      </Button>
    </nav>
  );
}

/** "1–50 of 10,000 apps"; a page holding every app says how many there are ("1 app", "3 apps"). */
export function pagerRange(
  offset: number | undefined,
  shown: number,
  totalCount: number,
  total: string,
): string {
  if (shown === totalCount && (offset ?? 0) === 0) return totalCount === 1 ? "1 app" : `${total} apps`;
  if (offset === undefined) return `${shown.toLocaleString()} of ${total} apps`;
  return `${(offset + 1).toLocaleString()}–${(offset + shown).toLocaleString()} of ${total} apps`;
}
