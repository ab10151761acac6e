import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import type { App } from "../../api/types";
import { CheckboxField } from "../../components/CheckboxField";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { RadioGroup } from "../../components/RadioGroup";
import { InlineError } from "../../components/States";
import { appKeys, showAppAnswer } from "./app-queries";
import type { AppMoment } from "./useActionNote";

type BackupsChoice = "keep" | "delete";

interface DeleteAppDialogProps {
  readonly app: App;
  readonly open: boolean;
  readonly isAdmin: boolean;
  onClose(): void;
  /** Told once the deletion started: the app as the API answered (now removing) and its backups' fate. */
  onDeleting(answer: AppMoment & { readonly backups: "kept" | "deleted" }): void;
}

function backupsNoun(count: number): string {
  return count === 1 ? "1 backup" : `${count} backups`;
}

/**
 * Confirms deleting the app and says exactly what happens to its backups (DELETE ?backups=keep,
 * the default, or delete). Kept backups stay on their storage but leave the owner's sight: only
 * administrators still reach the backups of a deleted app (docs/api.md, Backups).
 */
export function DeleteAppDialog({ app, open, isAdmin, onClose, onDeleting }: DeleteAppDialogProps) {
  const queryClient = useQueryClient();
  const [backups, setBackups] = useState<BackupsChoice>("keep");
  const [destroyContainer, setDestroyContainer] = useState(false);

  // Page 1 of the backup list: its total says how many backups are at stake.
  const backupList = useQuery({
    queryKey: appKeys.backupPage(app.id, 1),
    queryFn: () =>
      unwrap(api.GET("/api/apps/{id}/backups", { params: { path: { id: app.id }, query: { page: 1 } } })),
    enabled: open,
  });
  const count = backupList.data?.total;

  const remove = useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE("/api/apps/{id}", {
          params: {
            path: { id: app.id },
            query: {
              backups: count === 0 ? "keep" : backups,
              ...(isAdmin && app.adopted && destroyContainer ? { destroy_container: "true" as const } : {}),
            },
          },
        }),
      ),
    onSuccess: (answer) => {
      showAppAnswer(queryClient, answer);
      onDeleting(answer);
      close();
    },
  });

  const close = () => {
    setBackups("keep");
    setDestroyContainer(false);
    remove.reset();
    onClose();
  };

  // A kept backup is the whole app: its data and its settings, secrets included (a restore brings
  // them back), so say who can still reach it.
  const holds = "They stay on their storage and hold the app's data and settings, secrets included.";
  const keptText = isAdmin
    ? `${holds} The app's owner no longer sees them; only an administrator can restore them (into a new app) or delete them, under Admin → Backups of deleted apps.`
    : `${holds} You will no longer see them: only an administrator can restore them (into a new app) or delete them.`;

  return (
    <ConfirmDialog
      open={open}
      title={`Delete ${app.hostname}?`}
      confirmLabel="Delete app"
      danger
      busy={remove.isPending}
      onConfirm={() => remove.mutate()}
      onCancel={close}
    >
      {app.adopted ? (
        <p>
          {app.hostname} was adopted: its container is detached from Proximity and left on its host, unless
          you destroy it below. Its published port and secrets are removed. This cannot be undone.
        </p>
      ) : (
        <p>
          Deleting {app.hostname} destroys its container and removes its published port and secrets. This
          cannot be undone.
        </p>
      )}
      {app.adopted && isAdmin ? (
        <CheckboxField
          label="Also destroy the container on its host (administrators only)"
          checked={destroyContainer}
          onChange={(event) => setDestroyContainer(event.target.checked)}
        />
      ) : null}
      {count === 0 ? (
        <p>This app has no backups.</p>
      ) : (
        <RadioGroup<BackupsChoice>
          legend={
            count === undefined
              ? "What happens to this app's backups?"
              : `What happens to this app's ${backupsNoun(count)}?`
          }
          name="backups"
          value={backups}
          options={[
            { value: "keep", label: "Keep the backups", hint: keptText },
            {
              value: "delete",
              label: "Delete the backups too",
              hint: "Their archives are removed from the storage with the app and can never be restored.",
            },
          ]}
          onChange={setBackups}
        />
      )}
      <InlineError error={remove.error} />
    </ConfirmDialog>
  );
}
