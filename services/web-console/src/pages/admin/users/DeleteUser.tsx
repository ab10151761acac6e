import { api } from "../../../api/client";
import { unwrap } from "../../../api/errors";
import type { User } from "../../../api/types";
import { DeleteButton } from "../DeleteButton";
import { userKeys } from "./user-queries";

/** Deletes an account for good (the API refuses one's own, and one that still owns apps). */
export function DeleteUser({ user, self }: { readonly user: User; readonly self: boolean }) {
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
          <DeleteButton
            title={`Delete user ${user.username}?`}
            confirmLabel="Delete user"
            remove={() => unwrap(api.DELETE("/api/users/{id}", { params: { path: { id: user.id } } }))}
            keys={{ one: userKeys.one(user.id), all: userKeys.all }}
            backTo="/admin/users"
          >
            <p>
              {user.username} can no longer sign in, and their sessions and API tokens are deleted. This
              cannot be undone. If they still own apps, Proximity refuses and says how many.
            </p>
          </DeleteButton>
        </>
      )}
    </section>
  );
}
