import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../../api/client";
import { asApiError, unwrap } from "../../../api/errors";
import type { CreatedApiToken, TokenScope } from "../../../api/types";
import { useCurrentUser } from "../../../auth/session";
import { CheckboxField } from "../../../components/CheckboxField";
import { FieldError, TextField } from "../../../components/Field";
import { FormErrorSummary } from "../../../components/FormErrorSummary";
import { DEFAULT_TOKEN_DAYS, expiryBounds, expiryOf, MAX_TOKEN_DAYS } from "./token-expiry";
import { tokenKeys } from "./token-keys";

const SCOPES: readonly { scope: TokenScope; label: string; hint: string; adminOnly?: boolean }[] = [
  { scope: "read", label: "Read", hint: "Look at apps, backups and the catalog (GET requests)." },
  { scope: "write", label: "Write", hint: "Change things: deploy, start, stop, back up, delete." },
  {
    scope: "admin",
    label: "Admin",
    hint: "Use the admin routes with your admin rights. Without it, the token acts as a plain user.",
    adminOnly: true,
  },
];

const LABELS: Record<string, string> = { name: "Name", scopes: "Scopes", expires_at: "Expires on" };

/** Creates an API token; the answer carries the token, handed up to be shown once. */
export function NewTokenForm({ onCreated }: { onCreated(token: CreatedApiToken): void }) {
  const user = useCurrentUser();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<readonly TokenScope[]>(["read", "write"]);
  const [expires, setExpires] = useState("");
  const [bounds] = useState(() => expiryBounds(new Date()));
  const create = useMutation({
    mutationFn: () => {
      const expiresAt = expiryOf(expires);
      return unwrap(
        api.POST("/api/auth/tokens", {
          body: { name: name.trim(), scopes: [...scopes], ...(expiresAt ? { expires_at: expiresAt } : {}) },
        }),
      );
    },
    // The answer holds the secret: keep it out of the mutation cache once this form is gone.
    gcTime: 0,
    onSuccess: async (created) => {
      setName("");
      setExpires("");
      onCreated(created);
      await queryClient.invalidateQueries({ queryKey: tokenKeys.list });
    },
  });
  const error = create.error ? asApiError(create.error) : null;
  const toggle = (scope: TokenScope, on: boolean) =>
    setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }

  return (
    <section className="panel" aria-labelledby="new-token">
      <h2 id="new-token">Create a token</h2>
      <form className="form" onSubmit={submit} noValidate>
        <FormErrorSummary error={error} labelOf={(field) => LABELS[field] ?? field} />
        <TextField
          label="Name"
          hint="What it is for, e.g. “backup script on nas”."
          required
          maxLength={100}
          value={name}
          error={error?.fieldMessage("name")}
          onChange={(e) => setName(e.target.value)}
        />
        <fieldset className={error?.fieldMessage("scopes") ? "choices field-invalid" : "choices"}>
          <legend>Scopes</legend>
          {SCOPES.filter((s) => !s.adminOnly || user.is_admin).map((s) => (
            <CheckboxField
              key={s.scope}
              label={s.label}
              hint={s.hint}
              checked={scopes.includes(s.scope)}
              onChange={(e) => toggle(s.scope, e.target.checked)}
            />
          ))}
          {error?.fieldMessage("scopes") ? <FieldError>{error.fieldMessage("scopes")}</FieldError> : null}
        </fieldset>
        <TextField
          label="Expires on"
          type="date"
          min={bounds.min}
          max={bounds.max}
          hint={`Leave empty for ${DEFAULT_TOKEN_DAYS} days. At most ${MAX_TOKEN_DAYS} days ahead; the token stops working at the start of that day.`}
          value={expires}
          error={error?.fieldMessage("expires_at")}
          onChange={(e) => setExpires(e.target.value)}
        />
        <div className="actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={create.isPending || !name.trim() || scopes.length === 0}
          >
            {create.isPending ? "Creating…" : "Create token"}
          </button>
        </div>
      </form>
    </section>
  );
}
