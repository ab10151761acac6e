import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { asApiError, unwrap } from "../../api/errors";
import type { App, BackupMode, Compression } from "../../api/types";
import { Button } from "../../components/Button";
import { SelectField, TextField } from "../../components/Field";
import { InlineError } from "../../components/States";
import { actionRefusal } from "./action-rules";
import { appKeys } from "./app-queries";
import { COMPRESSION_OPTIONS, MODE_OPTIONS } from "./backup-options";
import { useActionNote } from "./useActionNote";

interface BackupNowFormProps {
  readonly app: App;
  readonly isAdmin: boolean;
}

/**
 * POST /api/apps/{id}/backups with a mode and a compression (defaults preselected). "Backup
 * started" lasts while the backup runs on the app, not after (the list shows how it ended).
 */
export function BackupNowForm({ app, isAdmin }: BackupNowFormProps) {
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<BackupMode>("snapshot");
  const [compression, setCompression] = useState<Compression>("zstd");
  const [storage, setStorage] = useState("");
  const note = useActionNote(app);

  const backUp = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/apps/{id}/backups", {
          params: { path: { id: app.id } },
          body: { mode, compression, ...(isAdmin && storage.trim() ? { storage: storage.trim() } : {}) },
        }),
      ),
    onMutate: () => note.clear(),
    onSuccess: () => {
      note.say("Backup started: it shows in the list below.", "backup");
      void queryClient.invalidateQueries({ queryKey: appKeys.backups(app.id) });
      void queryClient.invalidateQueries({ queryKey: appKeys.app(app.id), exact: true });
    },
  });

  const refusal = actionRefusal(app, "backup");
  const apiError = backUp.error ? asApiError(backUp.error) : undefined;
  const said = backUp.isPending ? "Starting the backup…" : note.text;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (backUp.isPending || refusal !== undefined) return; // Enter in a field submits too
    backUp.mutate();
  };

  return (
    <form className="backup-now" noValidate onSubmit={submit}>
      <div className="form-row">
        <SelectField
          label="Mode"
          name="mode"
          value={mode}
          error={apiError?.fieldMessage("mode")}
          onChange={(event) => setMode(event.target.value as BackupMode)}
        >
          {MODE_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Compression"
          name="compression"
          value={compression}
          error={apiError?.fieldMessage("compression")}
          onChange={(event) => setCompression(event.target.value as Compression)}
        >
          {COMPRESSION_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </SelectField>
        {isAdmin ? (
          <TextField
            label="Storage (optional)"
            name="storage"
            autoComplete="off"
            spellCheck={false}
            hint="A Proxmox storage id; empty: the host's backup storage."
            error={apiError?.fieldMessage("storage")}
            value={storage}
            onChange={(event) => setStorage(event.target.value)}
          />
        ) : null}
      </div>
      <div className="actions">
        <Button
          type="submit"
          className="button button-primary"
          unavailable={backUp.isPending || refusal !== undefined}
          aria-busy={backUp.isPending || undefined}
        >
          Back up now
        </Button>
        <p className="action-status" role="status">
          {said}
        </p>
      </div>
      {/* One message at a time: the backup this form started (or the API's refusal) says why. */}
      {refusal && said === "" && !backUp.isError ? (
        <p className="hint">Backups are not possible right now. {refusal}</p>
      ) : null}
      <InlineError error={backUp.error} />
    </form>
  );
}
