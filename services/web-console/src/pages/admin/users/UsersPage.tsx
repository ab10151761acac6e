import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../../../api/client";
import { unwrap } from "../../../api/errors";
import { Badge } from "../../../components/Badge";
import { DataTable } from "../../../components/DataTable";
import { Page } from "../../../components/Page";
import { Pager } from "../../../components/Pager";
import { Empty, ErrorState, Loading } from "../../../components/States";
import { formatDateTime } from "../../../lib/format";
import { usePageParam } from "../../../lib/usePageParam";
import { USERS_PER_PAGE, userKeys } from "./user-queries";

/** Every account, a page at a time. */
export function UsersPage() {
  const { page, goTo } = usePageParam();
  const users = useQuery({
    queryKey: userKeys.page(page),
    queryFn: () => unwrap(api.GET("/api/users", { params: { query: { page, per_page: USERS_PER_PAGE } } })),
    placeholderData: keepPreviousData,
  });
  const addUser = (
    <Link className="button button-primary" to="/admin/users/new">
      Add user
    </Link>
  );
  return (
    <Page title="Users" lead="Who can sign in, and who administers Proximity." actions={addUser}>
      {users.isPending ? <Loading label="Loading users…" /> : null}
      {users.isError ? <ErrorState error={users.error} retry={() => users.refetch()} /> : null}
      {users.data && users.data.items.length === 0 ? (
        <Empty title="No users on this page">
          <Link to="/admin/users">Back to the first page</Link>
        </Empty>
      ) : null}
      {users.data && users.data.items.length > 0 ? (
        <>
          <DataTable caption="Users" columns={["Username", "Role", "Status", "Created"]}>
            {users.data.items.map((user) => (
              <tr key={user.id}>
                <td data-label="Username">
                  <Link to={`/admin/users/${user.id}`}>{user.username}</Link>
                </td>
                <td data-label="Role">{user.is_admin ? "Administrator" : "User"}</td>
                <td data-label="Status">
                  {user.is_active ? <Badge tone="ok">Active</Badge> : <Badge tone="idle">Deactivated</Badge>}
                </td>
                <td data-label="Created">{formatDateTime(user.created_at)}</td>
              </tr>
            ))}
          </DataTable>
          <Pager
            page={page}
            perPage={USERS_PER_PAGE}
            total={users.data.total}
            label="Pages of users"
            onPage={goTo}
          />
        </>
      ) : null}
    </Page>
  );
}
