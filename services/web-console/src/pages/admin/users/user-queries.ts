import { useQuery } from "@tanstack/react-query";
import { api } from "../../../api/client";
import { unwrap } from "../../../api/errors";

/** Query keys of users: invalidating `userKeys.all` refreshes lists, users and quotas. */
export const userKeys = {
  all: ["admin", "users"] as const,
  page: (page: number) => ["admin", "users", "page", page] as const,
  one: (id: string) => ["admin", "users", "one", id] as const,
  quota: (id: string) => ["admin", "users", "quota", id] as const,
  firstUsers: ["admin", "users", "first"] as const,
};

export const USERS_PER_PAGE = 20;

/** How many users `useFirstUsers` reads. */
export const FIRST_USERS = 100;
/** Names change rarely, and adding or changing a user refreshes them (`userKeys.all`). */
const USER_NAMES_STALE_MS = 5 * 60_000;

/**
 * The first FIRST_USERS users (admins only): whose each app is in My apps, and whom an adopted
 * app may belong to. Beyond them a user is shown by id.
 */
export function useFirstUsers({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: userKeys.firstUsers,
    queryFn: () => unwrap(api.GET("/api/users", { params: { query: { per_page: FIRST_USERS } } })),
    enabled,
    staleTime: USER_NAMES_STALE_MS,
  });
}
