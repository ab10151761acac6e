import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../../api/client";
import { ApiError, asApiError, unwrap } from "../../../api/errors";
import type { PasswordChange } from "../../../api/types";
import { TextField } from "../../../components/Field";
import { FormErrorSummary } from "../../../components/FormErrorSummary";
import { NewPasswordField } from "../../../components/NewPasswordField";
import { Page } from "../../../components/Page";

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** What the change did, in words: the API ends the other sessions and revokes every token. */
export function changedMessage({ sessions_ended, tokens_revoked }: PasswordChange): string {
  return (
    "Your password is changed. This session stays signed in; " +
    `${plural(sessions_ended, "other session was", "other sessions were")} ended and ` +
    `${plural(tokens_revoked, "API token was", "API tokens were")} revoked.`
  );
}

/** Changes the signed-in person's password (current, new, and the new one again). */
export function ChangePasswordPage() {
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState<ApiError | null>(null);
  const change = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/auth/password", { body: { current_password: current, new_password: next } })),
    onSuccess: async () => {
      setCurrent("");
      setNext("");
      setConfirm("");
      await queryClient.invalidateQueries({ queryKey: ["account"] });
    },
  });
  const error = mismatch ?? (change.error ? asApiError(change.error) : null);

  function submit(event: FormEvent) {
    event.preventDefault();
    // The API takes the new password once; typing it twice is the console's guard against a typo.
    if (next !== confirm) {
      setMismatch(
        new ApiError(400, "The new passwords do not match.", [
          { field: "confirm_password", message: "does not match the new password" },
        ]),
      );
      return;
    }
    setMismatch(null);
    change.mutate();
  }

  return (
    <Page title="Change password">
      <p className="notice">
        Changing your password ends your other sessions and revokes all your API tokens. This session stays
        signed in.
      </p>
      <form className="form" onSubmit={submit} noValidate>
        <FormErrorSummary
          error={error}
          labelOf={(field) =>
            ({
              current_password: "Current password",
              new_password: "New password",
              confirm_password: "Confirm",
            })[field] ?? field
          }
        />
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          error={error?.fieldMessage("current_password")}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <NewPasswordField
          label="New password"
          required
          value={next}
          error={error?.fieldMessage("new_password")}
          onChange={(e) => setNext(e.target.value)}
        />
        <TextField
          label="Confirm new password"
          type="password"
          autoComplete="new-password"
          required
          value={confirm}
          error={error?.fieldMessage("confirm_password")}
          onChange={(e) => setConfirm(e.target.value)}
        />
        <div className="actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={change.isPending || !current || !next || !confirm}
          >
            {change.isPending ? "Changing…" : "Change password"}
          </button>
        </div>
        <div role="status" aria-live="polite">
          {change.data && !change.isPending && !mismatch ? (
            <p className="notice">{changedMessage(change.data)}</p>
          ) : null}
        </div>
      </form>
    </Page>
  );
}
