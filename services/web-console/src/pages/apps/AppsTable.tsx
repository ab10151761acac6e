import { Link } from "react-router";
import type { App } from "../../api/types";
import { DataTable } from "../../components/DataTable";
import { StatusBadge } from "../../components/StatusBadge";
import { externalUrl } from "../../lib/external-url";
import { formatBytes, formatPercent } from "../../lib/format";
import { isReportStale, staleReportWords } from "../../lib/report-age";
import { hasRunningFigures } from "../app/running-figures";

/** Whose each app is: shown to admins, who see every user's apps. */
export interface AppOwners {
  /** User id → username, where known (else the id is shown). */
  readonly names: ReadonlyMap<string, string>;
  /** The viewer's own id: their apps say "you". */
  readonly me: string;
}

interface AppsTableProps {
  readonly apps: readonly App[];
  /** Catalog id → app name, where known. */
  readonly catalogNames: ReadonlyMap<string, string>;
  /** Adds an Owner column (admins). */
  readonly owners?: AppOwners | undefined;
  /** When the list was read (ms since the epoch): how old each app's last report is is judged then. */
  readonly now: number;
}

function ownerLabel(ownerId: string, owners: AppOwners): string {
  if (ownerId === owners.me) return "you";
  return owners.names.get(ownerId) ?? ownerId;
}

const usedOfMax = (used: number | undefined, max: number | undefined) =>
  used === undefined ? "—" : `${formatBytes(used)} / ${formatBytes(max)}`;

/** The apps of one page; each row stacks into a card on a phone (data-label names each value). */
export function AppsTable({ apps, catalogNames, owners, now }: AppsTableProps) {
  const columns = ["Host name", "App", "Status", "Access", "CPU", "Memory", "Disk", "Node"];
  if (owners) columns.splice(1, 0, "Owner");
  return (
    <DataTable className="apps-table" caption={owners ? "Every user's apps" : "My apps"} columns={columns}>
      {apps.map((app) => (
        <AppRow
          key={app.id}
          app={app}
          catalogName={app.catalog_id ? catalogNames.get(app.catalog_id) : undefined}
          owner={owners && ownerLabel(app.owner_id, owners)}
          now={now}
        />
      ))}
    </DataTable>
  );
}

interface AppRowProps {
  readonly app: App;
  readonly catalogName: string | undefined;
  readonly owner: string | undefined;
  readonly now: number;
}

function AppRow({ app, catalogName, owner, now }: AppRowProps) {
  const access = externalUrl(app.access_url);
  const metrics = app.metrics;
  // A stopped app's last sample still holds its running CPU and memory: not shown (disk use stays).
  const running = hasRunningFigures(app, now);
  return (
    <tr>
      <td data-label="Host name" className="apps-hostname">
        <Link to={`/apps/${encodeURIComponent(app.id)}`}>{app.hostname}</Link>
      </td>
      {owner !== undefined ? <td data-label="Owner">{owner}</td> : null}
      <td data-label="App">
        {catalogName ?? app.catalog_id ?? "—"}
        {app.adopted ? <span className="tag">adopted</span> : null}
      </td>
      <td data-label="Status">
        <StatusBadge status={app.status} />
        {/* Not a live region: the list refreshes every few seconds, and the row says it when read. */}
        {isReportStale(app, now) ? (
          <p className="apps-stale-report">{staleReportWords(app)} — the status shown is the last known.</p>
        ) : null}
        {app.attention ? (
          <p className="apps-attention">
            <strong>Needs attention:</strong> {app.attention}
          </p>
        ) : null}
        {app.status === "error" && app.status_message ? (
          <p className="apps-status-message">{app.status_message}</p>
        ) : null}
      </td>
      <td data-label="Access">
        {access ? (
          <a href={access} target="_blank" rel="noopener noreferrer">
            {app.access_url}
            <span className="visually-hidden"> (opens in a new tab)</span>
          </a>
        ) : (
          "—"
        )}
      </td>
      <td data-label="CPU">{running ? formatPercent(metrics?.cpu) : "—"}</td>
      <td data-label="Memory">{running ? usedOfMax(metrics?.mem_bytes, metrics?.max_mem_bytes) : "—"}</td>
      <td data-label="Disk">{usedOfMax(metrics?.disk_bytes, metrics?.max_disk_bytes)}</td>
      <td data-label="Node">{app.node ?? "—"}</td>
    </tr>
  );
}
