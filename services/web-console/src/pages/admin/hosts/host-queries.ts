import { useQuery } from "@tanstack/react-query";
import { api } from "../../../api/client";
import { ApiError, unwrap } from "../../../api/errors";
import type { Host } from "../../../api/types";

/** Query keys of hosts: invalidating `hostKeys.all` refreshes the list and every host. */
export const hostKeys = {
  all: ["admin", "hosts"] as const,
  list: ["admin", "hosts", "list"] as const,
  one: (id: string) => ["admin", "hosts", "one", id] as const,
};

/** Hosts are few: the first 100 are one request (the page says when there are more). */
export const HOSTS_PER_PAGE = 100;

export function useHosts() {
  return useQuery({
    queryKey: hostKeys.list,
    queryFn: () => unwrap(api.GET("/api/proxmox/hosts", { params: { query: { per_page: HOSTS_PER_PAGE } } })),
    // Periodic checks change a host's status: the list follows them.
    refetchInterval: 30_000,
  });
}

/** How often a host is read again: a fixed interval, none, or decided from the host last read. */
type Interval = number | false | ((host: Host | undefined) => number | false);

export function useHost(id: string, refetchInterval: Interval = 30_000) {
  return useQuery({
    queryKey: hostKeys.one(id),
    queryFn: () => unwrap(api.GET("/api/proxmox/hosts/{id}", { params: { path: { id } } })),
    refetchInterval: (query) => {
      // Not there: asking again will not change that (the page says so and leads back to the list).
      if (query.state.error instanceof ApiError && query.state.error.status === 404) return false;
      return typeof refetchInterval === "function" ? refetchInterval(query.state.data) : refetchInterval;
    },
  });
}
