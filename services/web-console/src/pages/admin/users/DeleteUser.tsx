import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../../../api/client";
import { unwrap } from "../../../api/errors";
import type { User } from "../../../api/types";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { InlineError } from "../../../components/States";
import { userKeys } from "./user-queries";

/** Deletes an account for good (the API refuses one's own, and one that still owns apps). */
export function DeleteUser({ user, self }: { readonly user: User; readonly self: boolean }) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/users/{id}", { params: { path: { id: user.id } } })),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: userKeys.one(user.id) });
      await queryClient.invalidateQueries({ queryKey: userKeys.all });
      navigate("/admin/users", { replace: true });
    },
  });
  return (
    <section className="panel" aria-labelledby="user-delete">
      <h2 id="user-delete">Delete user</h2>
      {self ? (
        <p>You cannot delete your own account.</p>
      ) : (
        <>
          <p>
            The account is deleted with its sessions and API tokens. A user who still owns apps cannot be
            deleted: delete their apps first, or deactivate the account instead.
          </p>
          <button type="button" className="button button-danger" onClick={() => setOpen(true)}>
            Delete
          </button>
        </>
      )}
      <ConfirmDialog
        open={open}
        title={`Delete user ${user.username}?`}
        confirmLabel="Delete user"
        danger
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => {
          setOpen(false);
          remove.reset();
        }}
      >
        <p>
          {user.username} can no longer sign in, and their sessions and API tokens are deleted. This cannot be
          undone. If they still own apps, Proximity refuses and says how many.
        </p>
        <InlineError error={remove.error} />
      </ConfirmDialog>
    </section>
  );
}
