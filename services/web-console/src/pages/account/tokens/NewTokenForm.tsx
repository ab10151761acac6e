import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../../api/client";
import { asApiError, unwrap } from "../../../api/errors";
import type { CreatedApiToken, TokenScope } from "../../../api/types";
import { useCurrentUser } from "../../../auth/session";
import { Button } from "../../../components/Button";
import { CheckboxField } from "../../../components/CheckboxField";
import { FieldError, TextField } from "../../../components/Field";
import { FormErrorSummary } from "../../../components/FormErrorSummary";
import { useRefusalFocus } from "../../../lib/useRefusalFocus";
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
  const [missing, setMissing] = useState({ name: false, scopes: false });
  const { ref, refused } = useRefusalFocus();
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
    onError: refused,
  });
  const error = create.error ? asApiError(create.error) : null;
  const scopesError = missing.scopes ? "Choose at least one scope." : error?.fieldMessage("scopes");
  const toggle = (scope: TokenScope, on: boolean) =>
    setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));

  function submit(event: FormEvent) {
    event.preventDefault();
    // Said at the field rather than a button that stays greyed out without saying why.
    const empty = { name: name.trim() === "", scopes: scopes.length === 0 };
    setMissing(empty);
    if (empty.name || empty.scopes) {
      refused();
      return;
    }
    create.mutate();
  }

  return (
    <section className="panel" aria-labelledby="new-token">
      <h2 id="new-token">Create a token</h2>
      <form ref={ref} className="form" onSubmit={submit} noValidate>
        <FormErrorSummary error={error} labelOf={(field) => LABELS[field] ?? field} />
        <TextField
          label="Name"
          hint="What it is for, e.g. “backup script on nas”."
          required
          maxLength={100}
          value={name}
          error={missing.name ? "Enter a name for the token." : error?.fieldMessage("name")}
          onChange={(e) => setName(e.target.value)}
        />
        <fieldset className={scopesError ? "choices field-invalid" : "choices"}>
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
          {scopesError ? <FieldError>{scopesError}</FieldError> : null}
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
          <Button type="submit" className="button button-primary" unavailable={create.isPending}>
            {create.isPending ? "Creating…" : "Create token"}
          </Button>
        </div>
      </form>
    </section>
  );
}
