import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import type { Backup } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { InlineError } from "../../components/States";
import { formatDateTime } from "../../lib/format";
import { ALL_BACKUPS_KEY, appKeys } from "./app-queries";

interface DeleteBackupDialogProps {
  readonly backup: Backup | null;
  /** What the backup is of when its app is gone (the container and archive), said in the dialog. */
  readonly origin?: string | undefined;
  readonly open: boolean;
  onClose(): void;
}

/** Confirms deleting one backup: its archive leaves the storage for good. */
export function DeleteBackupDialog({ backup, origin, open, onClose }: DeleteBackupDialogProps) {
  const queryClient = useQueryClient();
  const appId = backup?.app_id ?? "";
  const remove = useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE("/api/apps/{id}/backups/{backup_id}", {
          params: { path: { id: appId, backup_id: backup?.id ?? "" } },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: appKeys.backups(appId) });
      void queryClient.invalidateQueries({ queryKey: ALL_BACKUPS_KEY });
      close();
    },
  });
  const close = () => {
    remove.reset();
    onClose();
  };
  const hasArchive = backup?.status !== "failed" && backup?.status !== "missing";
  return (
    <ConfirmDialog
      open={open}
      title={`Delete the backup from ${formatDateTime(backup?.created_at)}?`}
      confirmLabel="Delete backup"
      danger
      busy={remove.isPending}
      onConfirm={() => remove.mutate()}
      onCancel={close}
    >
      {origin ? <p>This is the backup of {origin}.</p> : null}
      {hasArchive ? (
        <p>
          Its archive is removed from {backup?.storage ? `the storage ${backup.storage}` : "its storage"} and
          can never be restored. This cannot be undone.
        </p>
      ) : (
        <p>This backup has no archive left; only its record is removed.</p>
      )}
      <InlineError error={remove.error} />
    </ConfirmDialog>
  );
}
