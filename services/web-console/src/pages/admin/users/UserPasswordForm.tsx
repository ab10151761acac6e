import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../../api/client";
import { asApiError, unwrap } from "../../../api/errors";
import type { User } from "../../../api/types";
import { Button } from "../../../components/Button";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { TextField } from "../../../components/Field";
import { FormErrorSummary } from "../../../components/FormErrorSummary";
import { NewPasswordField } from "../../../components/NewPasswordField";
import { useRefusalFocus } from "../../../lib/useRefusalFocus";

interface UserPasswordFormProps {
  readonly user: User;
  /** Admins changing their own password here must prove the current one (as on the account page). */
  readonly self: boolean;
}

/** What a new password of one's own does: said before asking, and again once done. */
const OWN_PASSWORD_EFFECTS =
  "You are signed out everywhere else (other browsers and devices), and your API tokens are revoked: scripts using them stop working. This session stays signed in.";

/**
 * Sets a new password for a user (who forgot theirs, or whose account may be compromised). An
 * admin changing their own is asked to confirm first: it signs them out everywhere else.
 */
export function UserPasswordForm({ user, self }: UserPasswordFormProps) {
  const [password, setPassword] = useState("");
  const [current, setCurrent] = useState("");
  const [done, setDone] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [missing, setMissing] = useState({ current: false, password: false });
  const { ref, refused } = useRefusalFocus();
  const reset = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH("/api/users/{id}", {
          params: { path: { id: user.id } },
          body: { password, ...(self ? { current_password: current } : {}) },
        }),
      ),
    onMutate: () => setDone(false),
    onSuccess: () => {
      setPassword("");
      setCurrent("");
      setDone(true);
    },
    onError: refused,
    onSettled: () => setConfirming(false),
  });
  const error = reset.error ? asApiError(reset.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    // Said at the field rather than a button that stays greyed out without saying why.
    const empty = { current: self && current === "", password: password === "" };
    setMissing(empty);
    if (empty.current || empty.password) {
      refused();
      return;
    }
    if (self) setConfirming(true);
    else reset.mutate();
  }

  return (
    <section className="panel" aria-labelledby="user-password">
      <h2 id="user-password">Reset password</h2>
      <p>
        {self
          ? OWN_PASSWORD_EFFECTS
          : `Every session of ${user.username} ends and all their API tokens are revoked.`}
      </p>
      <form ref={ref} className="form" onSubmit={submit} noValidate>
        <FormErrorSummary error={error} />
        {self ? (
          <TextField
            label="Your current password"
            type="password"
            autoComplete="current-password"
            required
            value={current}
            error={missing.current ? "Enter your current password." : error?.fieldMessage("current_password")}
            onChange={(e) => setCurrent(e.target.value)}
          />
        ) : null}
        <NewPasswordField
          label="New password"
          required
          value={password}
          error={missing.password ? "Enter a new password." : error?.fieldMessage("password")}
          onChange={(e) => setPassword(e.target.value)}
        />
        <div className="actions">
          <Button type="submit" className="button" unavailable={reset.isPending}>
            {reset.isPending ? "Setting…" : "Set new password"}
          </Button>
          <p role="status" className="muted">
            {done
              ? self
                ? "Your password was changed. You are signed out everywhere else, and your API tokens are revoked."
                : "Password changed. Give the new password to the user by a safe channel."
              : ""}
          </p>
        </div>
      </form>
      {self ? (
        <ConfirmDialog
          open={confirming}
          title="Change your own password?"
          confirmLabel="Change my password"
          busy={reset.isPending}
          onConfirm={() => reset.mutate()}
          onCancel={() => setConfirming(false)}
        >
          <p>{OWN_PASSWORD_EFFECTS}</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
