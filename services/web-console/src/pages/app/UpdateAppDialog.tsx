import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { asApiError, unwrap } from "../../api/errors";
import type { App } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { InlineError } from "../../components/States";
import { useCatalogItem } from "../store/catalog-queries";
import { showAppAnswer } from "./app-queries";

interface UpdateAppDialogProps {
  readonly app: App;
  readonly open: boolean;
  onClose(): void;
  /** Told once the update was accepted, with the app as the API answered (now updating). */
  onRequested(answer: App): void;
}

/**
 * Confirms an update and says what it does, as the platform does it: the applications service
 * sends the catalog's current compose file with the app's settings, and the provisioner snapshots
 * the container, pulls the images, recreates the services and rolls back to the snapshot on any
 * failure (docs/architecture.md). The API does not say which version an app runs, only the
 * catalog's: the dialog says so rather than guess.
 */
export function UpdateAppDialog({ app, open, onClose, onRequested }: UpdateAppDialogProps) {
  const queryClient = useQueryClient();
  const update = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/apps/{id}/action", { params: { path: { id: app.id } }, body: { action: "update" } }),
      ),
    onSuccess: (answer) => {
      showAppAnswer(queryClient, answer);
      onRequested(answer);
      close();
    },
  });

  const close = () => {
    update.reset();
    onClose();
  };

  return (
    <ConfirmDialog
      open={open}
      title={`Update ${app.hostname}?`}
      confirmLabel="Update app"
      busy={update.isPending}
      onConfirm={() => update.mutate()}
      onCancel={close}
    >
      {/* Mounted while open only, so each opening reads the catalog afresh (an admin may have reloaded it). */}
      {open ? <UpdateExplained app={app} /> : null}
      <InlineError error={update.error} />
    </ConfirmDialog>
  );
}

function UpdateExplained({ app }: { readonly app: App }) {
  const catalogId = app.catalog_id ?? "";
  const catalog = useCatalogItem(catalogId, { readOnOpen: true });
  const item = catalog.data;
  const running = app.status === "running";
  const target = item
    ? `${item.name} ${item.version}, the catalog's current version`
    : `the catalog's current version of ${catalogId}`;
  return (
    <>
      <p>
        {app.hostname} is updated to {target}: its images are pulled again and its services recreated. Its
        settings are kept; any the new version adds take their defaults.
      </p>
      {catalog.isPending ? <p className="hint">Reading the catalog's current version…</p> : null}
      {catalog.isError ? (
        <p className="hint">
          Could not read the catalog's current version ({asApiError(catalog.error).message}).
        </p>
      ) : null}
      {item ? (
        <p>
          Proximity does not record the version an app runs: if {app.hostname} already runs {item.version},
          the update pulls the same version's images again.
        </p>
      ) : null}
      {running ? <p>{app.hostname} is unavailable for a short while as its services restart.</p> : null}
      <p>
        If the update fails, the container is rolled back to a snapshot taken just before it
        {running ? ", and the app runs as before." : "."}
      </p>
    </>
  );
}
