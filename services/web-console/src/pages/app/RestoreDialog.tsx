import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import type { App, Backup } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { RadioGroup } from "../../components/RadioGroup";
import { InlineError } from "../../components/States";
import { formatDateTime } from "../../lib/format";
import { actionRefusal } from "./action-rules";
import { ALL_BACKUPS_KEY, APPS_LIST_KEY, appKeys, showAppAnswer } from "./app-queries";
import { NewHostnameField, useNewHostname } from "./NewHostnameField";

type Target = "this" | "new";

interface RestoreDialogProps {
  /** The backup's app; null when it was deleted (an admin's restore: into a new app only). */
  readonly app: App | null;
  readonly backup: Backup | null;
  /** What the backup is of when its app is gone (the container and archive), said in the dialog. */
  readonly origin?: string | undefined;
  readonly open: boolean;
  onClose(): void;
}

/**
 * Restores a backup onto its app (its current data is replaced: what was written since is lost)
 * or into a new app (POST …/restore {new_hostname}), which leaves this app untouched. The backup
 * of a deleted app can only go into a new app.
 */
export function RestoreDialog({ app, backup, origin, open, onClose }: RestoreDialogProps) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const ontoAppRefusal = app ? actionRefusal(app, "restore") : "Its app was deleted.";
  const [target, setTarget] = useState<Target>(ontoAppRefusal ? "new" : "this");
  const appId = backup?.app_id ?? app?.id ?? "";

  const restore = useMutation({
    mutationFn: (body: { new_hostname: string } | undefined) =>
      unwrap(
        api.POST("/api/apps/{id}/backups/{backup_id}/restore", {
          params: { path: { id: appId, backup_id: backup?.id ?? "" } },
          ...(body ? { body } : {}),
        }),
      ),
    onSuccess: (answer) => {
      void queryClient.invalidateQueries({ queryKey: appKeys.backups(appId) });
      void queryClient.invalidateQueries({ queryKey: ALL_BACKUPS_KEY });
      close();
      if (answer.new_app) {
        queryClient.setQueryData(appKeys.app(answer.app.id), answer.app);
        void queryClient.invalidateQueries({ queryKey: APPS_LIST_KEY });
        navigate(`/apps/${answer.app.id}`);
      } else {
        showAppAnswer(queryClient, answer.app);
      }
    },
  });
  const newHostname = useNewHostname(restore.error);

  const close = () => {
    newHostname.uncheck();
    restore.reset();
    onClose();
  };

  const when = formatDateTime(backup?.created_at);

  const submit = () => {
    const usable = newHostname.check();
    if (target === "this") restore.mutate(undefined);
    else if (usable) restore.mutate({ new_hostname: newHostname.hostname });
  };

  return (
    <ConfirmDialog
      open={open}
      title={`Restore the backup from ${when}?`}
      confirmLabel={target === "this" && app ? `Replace ${app.hostname}'s data` : "Restore into a new app"}
      danger={target === "this"}
      busy={restore.isPending}
      onConfirm={submit}
      onCancel={close}
    >
      {app ? (
        <RadioGroup<Target>
          legend="Restore into"
          name="restore-target"
          value={target}
          options={[
            {
              value: "this",
              label: `This app, ${app.hostname}`,
              disabled: ontoAppRefusal !== undefined,
              hint: ontoAppRefusal
                ? `Not possible now. ${ontoAppRefusal}`
                : `Replaces ${app.hostname}'s current data with this backup: everything written since ${when} is lost. The app is stopped during the restore and started again if it was running.`,
            },
            {
              value: "new",
              label: "A new app",
              hint: `Creates a new app of yours from this backup; ${app.hostname} is left as it is. It counts towards your number of apps.`,
            },
          ]}
          onChange={setTarget}
        />
      ) : (
        <>
          {origin ? <p>This is the backup of {origin}.</p> : null}
          <p>
            The app of this backup was deleted, so it is restored into a new app, owned by you. It counts
            towards your number of apps.
          </p>
        </>
      )}
      {target === "new" ? (
        <NewHostnameField
          label="Host name of the new app"
          state={newHostname}
          onEdit={() => {
            if (restore.isError) restore.reset();
          }}
        />
      ) : null}
      {/* Once, at the field, when it is about the name. */}
      <InlineError error={newHostname.error === undefined ? restore.error : null} />
    </ConfirmDialog>
  );
}
