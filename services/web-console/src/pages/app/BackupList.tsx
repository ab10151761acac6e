import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import type { App, Backup } from "../../api/types";
import { Pager } from "../../components/Pager";
import { Empty, ErrorState, Loading } from "../../components/States";
import { usePageParam } from "../../lib/usePageParam";
import { appKeys } from "./app-queries";
import { BackupTable, isBackupBusy } from "./BackupTable";
import { DeleteBackupDialog } from "./DeleteBackupDialog";
import { RestoreDialog } from "./RestoreDialog";

/** True while a backup or restore is under way: the list then refreshes itself. */
function anyInProgress(app: App, backups: readonly Backup[] | undefined): boolean {
  if (app.current_operation === "backup" || app.current_operation === "restore") return true;
  return backups?.some(isBackupBusy) ?? false;
}

/**
 * A backup that just finished also released the app: read the app again at once, so its status
 * line and the restore choices do not lag behind the list by a refresh.
 */
function useAppReadAgainWhenBackupsSettle(appId: string, backups: readonly Backup[] | undefined): void {
  const queryClient = useQueryClient();
  const busyBefore = useRef<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (!backups) return;
    const busy = new Set(backups.filter(isBackupBusy).map((b) => b.id));
    const settled = [...busyBefore.current].some((id) => !busy.has(id));
    busyBefore.current = busy;
    if (settled) void queryClient.invalidateQueries({ queryKey: appKeys.app(appId), exact: true });
  }, [appId, backups, queryClient]);
}

type Dialog = { readonly kind: "restore" | "delete"; readonly backup: Backup; readonly open: boolean };

/** The app's backups, newest first, a page at a time (?page= keeps the address shareable). */
export function BackupList({ app }: { readonly app: App }) {
  const { page, goTo } = usePageParam();
  const [dialog, setDialog] = useState<Dialog | null>(null);

  const backups = useQuery({
    queryKey: appKeys.backupPage(app.id, page),
    queryFn: () =>
      unwrap(api.GET("/api/apps/{id}/backups", { params: { path: { id: app.id }, query: { page } } })),
    refetchInterval: (query) => (anyInProgress(app, query.state.data?.items) ? 3_000 : false),
  });
  useAppReadAgainWhenBackupsSettle(app.id, backups.data?.items);

  if (backups.isPending) return <Loading label="Loading backups…" />;
  if (backups.isError) return <ErrorState error={backups.error} retry={() => void backups.refetch()} />;

  const { items, total, per_page: perPage } = backups.data;
  const closeDialog = () => setDialog((current) => (current ? { ...current, open: false } : null));

  return (
    <>
      {items.length === 0 ? (
        page > 1 ? (
          <Empty title="No backups on this page">
            <button type="button" className="button" onClick={() => goTo(1)}>
              Show the newest backups
            </button>
          </Empty>
        ) : (
          <Empty title="No backups yet">
            <p>Back up now with the button above, or turn on a schedule below.</p>
          </Empty>
        )
      ) : (
        <BackupTable
          caption={`Backups of ${app.hostname}, newest first`}
          backups={items}
          onRestore={(backup) => setDialog({ kind: "restore", backup, open: true })}
          onDelete={(backup) => setDialog({ kind: "delete", backup, open: true })}
        />
      )}
      <Pager
        page={page}
        perPage={perPage}
        total={total}
        label="Backup pages"
        previousLabel="Newer"
        nextLabel="Older"
        onPage={goTo}
      />
      {/* Mounted while closed, so closing returns focus to the row's button; a new backup remounts it. */}
      <RestoreDialog
        key={`restore-${dialog?.kind === "restore" ? dialog.backup.id : ""}`}
        app={app}
        backup={dialog?.kind === "restore" ? dialog.backup : null}
        open={dialog?.kind === "restore" && dialog.open}
        onClose={closeDialog}
      />
      <DeleteBackupDialog
        key={`delete-${dialog?.kind === "delete" ? dialog.backup.id : ""}`}
        backup={dialog?.kind === "delete" ? dialog.backup : null}
        open={dialog?.kind === "delete" && dialog.open}
        onClose={closeDialog}
      />
    </>
  );
}
