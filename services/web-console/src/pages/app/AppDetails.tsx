import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import type { App, Host } from "../../api/types";
import { useCurrentUser } from "../../auth/session";
import { AppIcon } from "../../components/AppIcon";
import { externalUrl } from "../../lib/external-url";
import { formatDateTime, formatDuration } from "../../lib/format";
import { operationInWords } from "../../lib/operation-words";
import { userKeys } from "../admin/users/user-queries";
import { useCatalogItem } from "../store/catalog-queries";
import { hasRunningFigures, noRunningFigure } from "./running-figures";

function Detail({ term, children }: { readonly term: string; readonly children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function CatalogApp({ app }: { readonly app: App }) {
  const catalog = useCatalogItem(app.catalog_id ?? "");
  if (!app.catalog_id) return <>None (an adopted container)</>;
  const name = catalog.data?.name ?? app.catalog_id;
  return (
    <span className="app-catalog">
      <AppIcon name={name} icon={catalog.data?.icon} size="small" />
      <Link to={`/store/${encodeURIComponent(app.catalog_id)}`}>{name}</Link>
      {catalog.data?.version ? <span className="muted"> {catalog.data.version}</span> : null}
    </span>
  );
}

interface AppDetailsProps {
  readonly app: App;
  /** The app's host, when the reader may see hosts (admins). */
  readonly host: Host | undefined;
  /** When the app was read (ms since the epoch). */
  readonly now: number;
}

/**
 * Whose app this is, for an admin (who can act on every user's apps and must not mistake one for
 * their own); nothing for anyone else, who only ever sees their own.
 */
function OwnerDetail({ ownerId }: { readonly ownerId: string }) {
  const me = useCurrentUser();
  const owner = useQuery({
    queryKey: userKeys.one(ownerId),
    queryFn: () => unwrap(api.GET("/api/users/{id}", { params: { path: { id: ownerId } } })),
    enabled: me.is_admin && ownerId !== me.id,
    staleTime: 5 * 60_000,
  });
  if (!me.is_admin) return null;
  return <Detail term="Owner">{ownerId === me.id ? "you" : (owner.data?.username ?? ownerId)}</Detail>;
}

/** Where the app runs, how to reach it, and since when. */
export function AppDetails({ app, host, now }: AppDetailsProps) {
  const url = externalUrl(app.access_url);
  return (
    <section className="panel" aria-labelledby="details-title">
      <h2 id="details-title">Details</h2>
      <dl className="details">
        <Detail term="Address">
          {url ? (
            <a href={url} target="_blank" rel="noopener noreferrer">
              {url}
              <span className="visually-hidden"> (opens in a new tab)</span>
            </a>
          ) : (
            <span className="muted">Available while the app is running</span>
          )}
        </Detail>
        <Detail term="Catalog app">
          <CatalogApp app={app} />
        </Detail>
        <OwnerDetail ownerId={app.owner_id} />
        <Detail term="Operation in progress">{operationInWords(app.current_operation)}</Detail>
        {host ? <Detail term="Host">{host.name}</Detail> : null}
        <Detail term="Node">{app.node ?? "—"}</Detail>
        <Detail term="Container (VMID)">{app.vmid ?? "—"}</Detail>
        <Detail term="IP address">{app.ip_address ?? "—"}</Detail>
        <Detail term="Port">{app.port ?? "—"}</Detail>
        <Detail term="Uptime">
          {hasRunningFigures(app, now) ? formatDuration(app.uptime_seconds) : noRunningFigure(app, now)}
        </Detail>
        <Detail term="Created">{formatDateTime(app.created_at)}</Detail>
        <Detail term="Updated">{formatDateTime(app.updated_at)}</Detail>
        {app.adopted ? <Detail term="Origin">Adopted from an existing container</Detail> : null}
      </dl>
    </section>
  );
}
