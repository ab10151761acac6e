import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import type { App } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { InlineError } from "../../components/States";
import { APPS_LIST_KEY, appKeys } from "./app-queries";
import { NewHostnameField, useNewHostname } from "./NewHostnameField";

interface CloneDialogProps {
  readonly app: App;
  readonly open: boolean;
  onClose(): void;
}

/** Asks for the clone's host name, clones, then opens the new app's page. */
export function CloneDialog({ app, open, onClose }: CloneDialogProps) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  const clone = useMutation({
    mutationFn: (newHostname: string) =>
      unwrap(
        api.POST("/api/apps/{id}/clone", {
          params: { path: { id: app.id } },
          body: { new_hostname: newHostname },
        }),
      ),
    onSuccess: (newApp) => {
      queryClient.setQueryData(appKeys.app(newApp.id), newApp);
      void queryClient.invalidateQueries({ queryKey: APPS_LIST_KEY });
      void queryClient.invalidateQueries({ queryKey: appKeys.app(app.id), exact: true });
      close();
      navigate(`/apps/${newApp.id}`);
    },
  });
  const newHostname = useNewHostname(clone.error);

  const close = () => {
    newHostname.setHostname("");
    newHostname.uncheck();
    clone.reset();
    onClose();
  };

  const submit = () => {
    if (newHostname.check()) clone.mutate(newHostname.hostname);
  };

  return (
    <ConfirmDialog
      open={open}
      title={`Clone ${app.hostname}`}
      confirmLabel="Clone app"
      busy={clone.isPending}
      onConfirm={submit}
      onCancel={close}
    >
      <p>
        The clone is a new app of yours with a copy of {app.hostname}'s container and settings. {app.hostname}{" "}
        keeps running as it is.
      </p>
      <NewHostnameField
        label="Host name of the clone"
        state={newHostname}
        onEdit={() => {
          if (clone.isError) clone.reset();
        }}
      />
      {/* Once, at the field, when it is about the name. */}
      <InlineError error={newHostname.error === undefined ? clone.error : null} />
    </ConfirmDialog>
  );
}
