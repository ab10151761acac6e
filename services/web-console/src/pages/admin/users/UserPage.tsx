import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api } from "../../../api/client";
import { asApiError, unwrap } from "../../../api/errors";
import { useCurrentUser } from "../../../auth/session";
import { Badge } from "../../../components/Badge";
import { Page } from "../../../components/Page";
import { ErrorState, Loading, NotFound } from "../../../components/States";
import { formatDateTime } from "../../../lib/format";
import { DeleteUser } from "./DeleteUser";
import { UserAccessForm } from "./UserAccessForm";
import { UserPasswordForm } from "./UserPasswordForm";
import { UserQuotaSection } from "./UserQuotaForm";
import { userKeys } from "./user-queries";

function UserNotFound({ userId }: { readonly userId: string }) {
  return (
    <Page title="User not found">
      <NotFound title="Deleted, or a wrong address" back={{ to: "/admin/users", label: "Go to all users" }}>
        <p>
          No user has the id <code className="break">{userId}</code>. The account may have been deleted, or
          the link may be incomplete.
        </p>
      </NotFound>
    </Page>
  );
}

/** One account: its access, a password reset, its app quota, and deleting it. */
export function UserPage() {
  const { userId = "" } = useParams();
  const me = useCurrentUser();
  const user = useQuery({
    queryKey: userKeys.one(userId),
    queryFn: () => unwrap(api.GET("/api/users/{id}", { params: { path: { id: userId } } })),
  });
  const self = user.data?.id === me.id;
  if (user.isError && asApiError(user.error).status === 404) return <UserNotFound userId={userId} />;
  return (
    <Page title={user.data ? user.data.username : "User"} lead={<Link to="/admin/users">All users</Link>}>
      {user.isPending ? <Loading label="Loading the user…" /> : null}
      {user.isError ? <ErrorState error={user.error} retry={() => user.refetch()} /> : null}
      {user.data ? (
        <>
          <p className="toolbar">
            {user.data.is_active ? <Badge tone="ok">Active</Badge> : <Badge tone="idle">Deactivated</Badge>}
            <span>{user.data.is_admin ? "Administrator" : "User"}</span>
            <span className="muted">Created {formatDateTime(user.data.created_at)}</span>
          </p>
          <UserAccessForm user={user.data} self={self} />
          <UserPasswordForm user={user.data} self={self} />
          <UserQuotaSection userId={user.data.id} />
          <DeleteUser user={user.data} self={self} />
        </>
      ) : null}
    </Page>
  );
}
