/** Query keys of users: invalidating `userKeys.all` refreshes lists, users and quotas. */
export const userKeys = {
  all: ["admin", "users"] as const,
  page: (page: number) => ["admin", "users", "page", page] as const,
  one: (id: string) => ["admin", "users", "one", id] as const,
  quota: (id: string) => ["admin", "users", "quota", id] as const,
  /** Active users to pick an owner from (the first 100). */
  owners: ["admin", "users", "owners"] as const,
};

export const USERS_PER_PAGE = 20;
