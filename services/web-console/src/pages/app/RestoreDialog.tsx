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
import { APPS_LIST_KEY, appKeys, showAppAnswer } from "./app-queries";
import { NewHostnameField, useNewHostname } from "./NewHostnameField";

type Target = "this" | "new";

interface RestoreDialogProps {
  readonly app: App;
  readonly backup: Backup | null;
  readonly open: boolean;
  onClose(): void;
}

/**
 * Restores a backup onto its app (its current data is replaced: what was written since is lost)
 * or into a new app (POST …/restore {new_hostname}), which leaves this app untouched.
 */
export function RestoreDialog({ app, backup, open, onClose }: RestoreDialogProps) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const ontoAppRefusal = actionRefusal(app, "restore");
  const [target, setTarget] = useState<Target>(ontoAppRefusal ? "new" : "this");

  const restore = useMutation({
    mutationFn: (body: { new_hostname: string } | undefined) =>
      unwrap(
        api.POST("/api/apps/{id}/backups/{backup_id}/restore", {
          params: { path: { id: app.id, backup_id: backup?.id ?? "" } },
          ...(body ? { body } : {}),
        }),
      ),
    onSuccess: (answer) => {
      void queryClient.invalidateQueries({ queryKey: appKeys.backups(app.id) });
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
      confirmLabel={target === "this" ? `Replace ${app.hostname}'s data` : "Restore into a new app"}
      danger={target === "this"}
      busy={restore.isPending}
      onConfirm={submit}
      onCancel={close}
    >
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
