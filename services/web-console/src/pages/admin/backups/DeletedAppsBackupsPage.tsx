import { useState } from "react";
import type { Backup } from "../../../api/types";
import { useCurrentUser } from "../../../auth/session";
import { Page } from "../../../components/Page";
import { Pager } from "../../../components/Pager";
import { Empty, ErrorState, Loading } from "../../../components/States";
import { usePageParam } from "../../../lib/usePageParam";
import { BackupTable } from "../../app/BackupTable";
import { DeleteBackupDialog } from "../../app/DeleteBackupDialog";
import { RestoreDialog } from "../../app/RestoreDialog";
import { useCatalogNames } from "../../store/catalog-queries";
import { useFirstUsers } from "../users/user-queries";
import {
  appNameOf,
  appOf,
  archiveNameOf,
  backupOriginText,
  type CatalogNames,
  containerOf,
} from "./backup-origin";
import { DELETED_APPS_BACKUPS_PER_PAGE, useDeletedAppsBackups } from "./deleted-apps-backups";

type Dialog = { readonly kind: "restore" | "delete"; readonly backup: Backup; readonly open: boolean };

/**
 * /admin/backups: backups kept after their app was deleted (the owner chose to keep them). Only
 * admins reach them; each can be restored into a new app (owned by the admin) or deleted.
 */
export function DeletedAppsBackupsPage() {
  const { page, goTo } = usePageParam();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const backups = useDeletedAppsBackups(page);
  const me = useCurrentUser();
  const users = useFirstUsers();
  const catalogNames = useCatalogNames();
  const ownerName = (backup: Backup) =>
    backup.owner_id === me.id
      ? "you"
      : (users.data?.items.find((user) => user.id === backup.owner_id)?.username ?? backup.owner_id);
  const closeDialog = () => setDialog((current) => (current ? { ...current, open: false } : null));

  const shown = backups.data?.items ?? [];
  const total = backups.data?.total ?? 0;

  return (
    <Page
      title="Backups of deleted apps"
      lead="Kept when their app was deleted. Restore one into a new app, or delete it for good."
    >
      {backups.isPending ? <Loading label="Loading backups of deleted apps…" /> : null}
      {backups.isError ? <ErrorState error={backups.error} retry={() => void backups.refetch()} /> : null}
      {backups.data && total === 0 ? (
        <Empty title="No backups of deleted apps">
          <p>When an app is deleted with its backups kept, they are listed here.</p>
        </Empty>
      ) : null}
      {backups.data && total > 0 && shown.length === 0 ? (
        <Empty title="No backups on this page">
          <button type="button" className="button" onClick={() => goTo(1)}>
            Show the newest backups
          </button>
        </Empty>
      ) : null}
      {shown.length > 0 ? (
        <>
          <BackupTable
            caption="Backups of deleted apps, newest first"
            backups={shown}
            sources={[
              { column: "App", cell: (backup) => appCell(backup, catalogNames) },
              { column: "Owner", cell: ownerName },
            ]}
            describe={(backup) => `of ${appOf(backup, catalogNames)}`}
            onRestore={(backup) => setDialog({ kind: "restore", backup, open: true })}
            onDelete={(backup) => setDialog({ kind: "delete", backup, open: true })}
          />
          <Pager
            page={page}
            perPage={DELETED_APPS_BACKUPS_PER_PAGE}
            total={total}
            label="Pages of backups of deleted apps"
            previousLabel="Newer"
            nextLabel="Older"
            onPage={goTo}
          />
        </>
      ) : null}
      <RestoreDialog
        key={`restore-${dialog?.kind === "restore" ? dialog.backup.id : ""}`}
        app={null}
        backup={dialog?.kind === "restore" ? dialog.backup : null}
        origin={dialog ? backupOriginText(dialog.backup, catalogNames) : undefined}
        open={dialog?.kind === "restore" && dialog.open}
        onClose={closeDialog}
      />
      <DeleteBackupDialog
        key={`delete-${dialog?.kind === "delete" ? dialog.backup.id : ""}`}
        backup={dialog?.kind === "delete" ? dialog.backup : null}
        origin={dialog ? backupOriginText(dialog.backup, catalogNames) : undefined}
        open={dialog?.kind === "delete" && dialog.open}
        onClose={closeDialog}
      />
    </Page>
  );
}

/**
 * The deleted app a backup was of, as far as the backup tells (see backup-origin.ts): its host
 * name and catalog item, with the container under it; the container alone when it is unnamed.
 */
function appCell(backup: Backup, catalogNames: CatalogNames) {
  const name = appNameOf(backup, catalogNames);
  const archive = archiveNameOf(backup);
  const container = containerOf(backup);
  return (
    <>
      {name ?? upperFirst(container)}
      {name ? <span className="muted backup-archive">{upperFirst(container)}</span> : null}
      {archive ? <span className="muted mono backup-archive">{archive}</span> : null}
    </>
  );
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
