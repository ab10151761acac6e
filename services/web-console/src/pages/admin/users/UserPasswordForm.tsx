import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../../api/client";
import { asApiError, unwrap } from "../../../api/errors";
import type { User } from "../../../api/types";
import { TextField } from "../../../components/Field";
import { FormErrorSummary } from "../../../components/FormErrorSummary";
import { NewPasswordField } from "../../../components/NewPasswordField";

interface UserPasswordFormProps {
  readonly user: User;
  /** Admins changing their own password here must prove the current one (as on the account page). */
  readonly self: boolean;
}

/** Sets a new password for a user (who forgot theirs, or whose account may be compromised). */
export function UserPasswordForm({ user, self }: UserPasswordFormProps) {
  const [password, setPassword] = useState("");
  const [current, setCurrent] = useState("");
  const [done, setDone] = useState(false);
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
  });
  const error = reset.error ? asApiError(reset.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    reset.mutate();
  }

  return (
    <section className="panel" aria-labelledby="user-password">
      <h2 id="user-password">Reset password</h2>
      <p>
        {self
          ? "Your other sessions end and your API tokens are revoked; this session stays signed in."
          : `Every session of ${user.username} ends and all their API tokens are revoked.`}
      </p>
      <form className="form" onSubmit={submit} noValidate>
        <FormErrorSummary error={error} />
        {self ? (
          <TextField
            label="Your current password"
            type="password"
            autoComplete="current-password"
            required
            value={current}
            error={error?.fieldMessage("current_password")}
            onChange={(e) => setCurrent(e.target.value)}
          />
        ) : null}
        <NewPasswordField
          label="New password"
          required
          value={password}
          error={error?.fieldMessage("password")}
          onChange={(e) => setPassword(e.target.value)}
        />
        <div className="actions">
          <button type="submit" className="button" disabled={!password || reset.isPending}>
            {reset.isPending ? "Setting…" : "Set new password"}
          </button>
          <p role="status" className="muted">
            {done ? "Password changed. Give the new password to the user by a safe channel." : ""}
          </p>
        </div>
      </form>
    </section>
  );
}
