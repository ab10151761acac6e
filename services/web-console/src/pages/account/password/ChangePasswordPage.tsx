import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../../api/client";
import { ApiError, asApiError, unwrap } from "../../../api/errors";
import type { PasswordChange } from "../../../api/types";
import { Button } from "../../../components/Button";
import { TextField } from "../../../components/Field";
import { FormErrorSummary } from "../../../components/FormErrorSummary";
import { NewPasswordField } from "../../../components/NewPasswordField";
import { Page } from "../../../components/Page";
import { useRefusalFocus } from "../../../lib/useRefusalFocus";

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
  const { ref, refused } = useRefusalFocus();
  const change = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/auth/password", { body: { current_password: current, new_password: next } })),
    onSuccess: async () => {
      setCurrent("");
      setNext("");
      setConfirm("");
      await queryClient.invalidateQueries({ queryKey: ["account"] });
    },
    onError: refused,
  });
  const error = mismatch ?? (change.error ? asApiError(change.error) : null);

  function submit(event: FormEvent) {
    event.preventDefault();
    // Empty fields are said at the field rather than by a button greyed out without saying why.
    const empty = [
      ...(current === "" ? [{ field: "current_password", message: "Enter your current password." }] : []),
      ...(next === "" ? [{ field: "new_password", message: "Enter a new password." }] : []),
      ...(confirm === "" ? [{ field: "confirm_password", message: "Enter the new password again." }] : []),
    ];
    if (empty.length > 0) {
      setMismatch(new ApiError(400, "Fill in every field.", empty));
      refused();
      return;
    }
    // The API takes the new password once; typing it twice is the console's guard against a typo.
    if (next !== confirm) {
      setMismatch(
        new ApiError(400, "The new passwords do not match.", [
          { field: "confirm_password", message: "does not match the new password" },
        ]),
      );
      refused();
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
      <form ref={ref} className="form" onSubmit={submit} noValidate>
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
          <Button type="submit" className="button button-primary" unavailable={change.isPending}>
            {change.isPending ? "Changing…" : "Change password"}
          </Button>
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
