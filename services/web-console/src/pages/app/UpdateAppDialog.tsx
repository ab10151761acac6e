import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
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
 * failure (docs/architecture.md). Only a running app is updated (@proximity/rules; AppActions
 * offers it for no other). The API does not say which version an app runs, only the catalog's:
 * the dialog says so rather than guess. Once the catalog no longer offers the app, there is
 * nothing to update it to, and the dialog says so with its Update button unavailable.
 */
export function UpdateAppDialog({ app, open, onClose, onRequested }: UpdateAppDialogProps) {
  const queryClient = useQueryClient();
  const [gone, setGone] = useState(false);
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
      unavailable={open && gone}
      onConfirm={() => update.mutate()}
      onCancel={close}
    >
      {/* Mounted while open only, so each opening reads the catalog afresh (an admin may have reloaded it). */}
      {open ? <UpdateExplained app={app} onGone={setGone} /> : null}
      <InlineError error={update.error} />
    </ConfirmDialog>
  );
}

interface UpdateExplainedProps {
  readonly app: App;
  /** Told whether the catalog answered that it no longer has the app's item (404). */
  onGone(gone: boolean): void;
}

function UpdateExplained({ app, onGone }: UpdateExplainedProps) {
  const catalogId = app.catalog_id ?? "";
  const catalog = useCatalogItem(catalogId, { readOnOpen: true });
  const item = catalog.data;
  const readError = catalog.isError ? asApiError(catalog.error) : undefined;
  // Only a 404 says the item is gone; any other failure may pass, and the API stays the judge.
  const gone = readError?.status === 404;
  useEffect(() => onGone(gone), [gone, onGone]);
  if (gone) {
    return (
      <p>
        The catalog no longer offers {catalogId}, so there is no version to update {app.hostname} to. It keeps
        running as it is.
      </p>
    );
  }
  const target = item
    ? `${item.name} ${item.version}, the catalog's current version`
    : `the catalog's current version of ${catalogId}`;
  return (
    <>
      <p>
        {app.hostname} is updated to {target}: its images are pulled again and its services recreated. Its
        settings are kept; any the new version adds take their defaults. If a new setting has no default and
        needs a value, the update is refused and says which.
      </p>
      {catalog.isPending ? <p className="hint">Reading the catalog's current version…</p> : null}
      {readError ? (
        <p className="hint">Could not read the catalog's current version ({readError.message}).</p>
      ) : null}
      {item ? (
        <p>
          Proximity does not record the version an app runs: if {app.hostname} already runs {item.version},
          the update pulls the same version's images again.
        </p>
      ) : null}
      <p>{app.hostname} is unavailable for a short while as its services restart.</p>
      <p>
        If the update fails, the container is rolled back to a snapshot taken just before it, and the app runs
        as before.
      </p>
    </>
  );
}
