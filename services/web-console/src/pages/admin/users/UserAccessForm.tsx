import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../../api/client";
import { asApiError, unwrap } from "../../../api/errors";
import type { User } from "../../../api/types";
import { Button } from "../../../components/Button";
import { CheckboxField } from "../../../components/CheckboxField";
import { FormErrorSummary } from "../../../components/FormErrorSummary";
import { useRefusalFocus } from "../../../lib/useRefusalFocus";
import { userKeys } from "./user-queries";

interface UserAccessFormProps {
  readonly user: User;
  /** The signed-in admin's own account: the API refuses to deactivate it or drop its admin rights. */
  readonly self: boolean;
}

/** Whether the user may sign in, and whether they administer Proximity. */
export function UserAccessForm({ user, self }: UserAccessFormProps) {
  const queryClient = useQueryClient();
  const [isActive, setIsActive] = useState(user.is_active);
  const [isAdmin, setIsAdmin] = useState(user.is_admin);
  const [saved, setSaved] = useState(false);
  const { ref, refused } = useRefusalFocus();
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH("/api/users/{id}", {
          params: { path: { id: user.id } },
          body: {
            ...(isActive !== user.is_active ? { is_active: isActive } : {}),
            ...(isAdmin !== user.is_admin ? { is_admin: isAdmin } : {}),
          },
        }),
      ),
    onMutate: () => setSaved(false),
    onSuccess: async (updated) => {
      queryClient.setQueryData(userKeys.one(user.id), updated);
      await queryClient.invalidateQueries({ queryKey: userKeys.all });
      setSaved(true);
    },
    onError: refused,
  });
  const error = save.error ? asApiError(save.error) : null;
  const unchanged = isActive === user.is_active && isAdmin === user.is_admin;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!unchanged) save.mutate();
  }

  return (
    <section className="panel" aria-labelledby="user-access">
      <h2 id="user-access">Access</h2>
      <form ref={ref} className="form" onSubmit={submit} noValidate>
        <FormErrorSummary error={error} />
        {self ? (
          <p className="hint">
            This is your account: you cannot deactivate it or remove your own admin rights.
          </p>
        ) : null}
        <CheckboxField
          label="Active: can sign in"
          hint="Deactivating ends all the user's sessions and revokes their API tokens. Their apps keep running."
          checked={isActive}
          disabled={self}
          error={error?.fieldMessage("is_active")}
          onChange={(e) => setIsActive(e.target.checked)}
        />
        <CheckboxField
          label="Administrator"
          hint="Administrators manage hosts, users and the catalog, and see every app."
          checked={isAdmin}
          disabled={self}
          error={error?.fieldMessage("is_admin")}
          onChange={(e) => setIsAdmin(e.target.checked)}
        />
        <div className="actions">
          {/* Unavailable rather than disabled: the focus stays on it once saved (unchanged again). */}
          <Button type="submit" className="button button-primary" unavailable={unchanged || save.isPending}>
            {save.isPending ? "Saving…" : "Save access"}
          </Button>
          <p role="status" className="muted">
            {saved && unchanged ? "Access saved." : ""}
          </p>
        </div>
      </form>
    </section>
  );
}
