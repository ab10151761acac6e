import type { ReactNode } from "react";
import type { Backup, BackupStatus } from "../../api/types";
import { Badge, type Tone } from "../../components/Badge";
import { Button } from "../../components/Button";
import { DataTable } from "../../components/DataTable";
import { formatBytes, formatDateTime } from "../../lib/format";
import { MODE_LABEL } from "./backup-options";

const STATUS: Record<BackupStatus, { label: string; tone: Tone }> = {
  pending: { label: "Waiting", tone: "busy" },
  running: { label: "Running", tone: "busy" },
  completed: { label: "Completed", tone: "ok" },
  failed: { label: "Failed", tone: "bad" },
  missing: { label: "Missing", tone: "bad" },
  deleting: { label: "Deleting", tone: "busy" },
  deleted: { label: "Deleted", tone: "idle" },
};

const IN_PROGRESS: ReadonlySet<BackupStatus> = new Set(["pending", "running", "deleting"]);

/** A backup being made, deleted or restored from: its list refreshes itself meanwhile. */
export function isBackupBusy(backup: Backup): boolean {
  return IN_PROGRESS.has(backup.status) || backup.restoring;
}

/**
 * The badge of a backup. A restore from it shows in the badge, in place of "Completed", rather
 * than as words beside it: the row keeps its layout when a restore starts and ends.
 */
function statusOf(backup: Backup): { label: string; tone: Tone } {
  if (backup.restoring) return { label: "Restoring from it", tone: "busy" };
  return STATUS[backup.status] ?? { label: backup.status, tone: "idle" };
}

interface BackupTableProps {
  readonly caption: string;
  readonly backups: readonly Backup[];
  /** First columns naming what each backup is of (the admin's list of deleted apps' backups). */
  readonly sources?: readonly { readonly column: string; cell(backup: Backup): ReactNode }[];
  /** Words telling the rows' buttons apart beyond the date (e.g. "of container 101 on pve1"). */
  describe?(backup: Backup): string;
  onRestore(backup: Backup): void;
  onDelete(backup: Backup): void;
}

/**
 * Backups, one row each, with Restore and Delete. Both stay focusable when not possible now
 * (aria-disabled): closing a dialog gives the focus back to the row's button, which a restore
 * just made unavailable.
 */
export function BackupTable({
  caption,
  backups,
  sources = [],
  describe,
  onRestore,
  onDelete,
}: BackupTableProps) {
  const columns = ["Created", "Status", "Size", "Mode", "Compression", "Started by"];
  return (
    <DataTable
      className="backups-table"
      caption={caption}
      columns={[...sources.map((source) => source.column), ...columns]}
      actions
    >
      {backups.map((backup) => {
        const when = formatDateTime(backup.created_at);
        const status = statusOf(backup);
        const which = describe ? ` ${describe(backup)}` : "";
        return (
          <tr key={backup.id}>
            {sources.map((source) => (
              <td key={source.column} data-label={source.column}>
                {source.cell(backup)}
              </td>
            ))}
            <td data-label="Created">{when}</td>
            <td data-label="Status">
              <Badge tone={status.tone}>{status.label}</Badge>
              {backup.error ? <p className="backup-error">{backup.error}</p> : null}
            </td>
            <td data-label="Size">{formatBytes(backup.size_bytes)}</td>
            <td data-label="Mode">{MODE_LABEL[backup.mode] ?? backup.mode}</td>
            <td data-label="Compression">{backup.compression}</td>
            <td data-label="Started by">{backup.trigger === "scheduled" ? "Schedule" : "Manual"}</td>
            <td data-label="Actions">
              <div className="actions">
                <Button className="button" unavailable={!backup.restorable} onClick={() => onRestore(backup)}>
                  Restore<span className="visually-hidden">{` the backup${which} from ${when}`}</span>
                </Button>
                <Button
                  className="button"
                  unavailable={isBackupBusy(backup)}
                  onClick={() => onDelete(backup)}
                >
                  Delete<span className="visually-hidden">{` the backup${which} from ${when}`}</span>
                </Button>
              </div>
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}
