import { type QueryClient, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import { ApiError, unwrap } from "../../api/errors";
import type { App } from "../../api/types";
import { isBusy } from "../../components/StatusBadge";

/** Query keys of this page: everything about one app lives under ["app", id]. */
export const appKeys = {
  app: (appId: string) => ["app", appId] as const,
  backups: (appId: string) => ["app", appId, "backups"] as const,
  backupPage: (appId: string, page: number) => ["app", appId, "backups", page] as const,
  policy: (appId: string) => ["app", appId, "backup-policy"] as const,
  host: (appId: string, hostId: string) => ["app", appId, "host", hostId] as const,
};

/** True while something changes the app: its page then refreshes faster. */
export function isChanging(app: Pick<App, "status" | "current_operation">): boolean {
  return isBusy(app.status) || app.current_operation !== null;
}

/** The app, refreshed every 5 s (2 s while an operation runs) so metrics and status stay live. */
export function useAppQuery(appId: string) {
  return useQuery({
    queryKey: appKeys.app(appId),
    queryFn: () => unwrap(api.GET("/api/apps/{id}", { params: { path: { id: appId } } })),
    refetchInterval: (query) => {
      const app = query.state.data;
      // Not there (or not yours): asking again will not change that. Other failures may pass.
      if (!app || (query.state.error instanceof ApiError && query.state.error.status === 404)) return false;
      return isChanging(app) ? 2_000 : 5_000;
    },
  });
}

/** Backups listed across apps (GET /api/backups: the admin's backups of deleted apps). */
export const ALL_BACKUPS_KEY = ["backups"] as const;

/** The list of My apps (pages/apps keys it under ["apps", …]): stale once an app changed. */
export const APPS_LIST_KEY = ["apps"] as const;

/** Puts an app answered by the API (202 of an action) in the cache, then reads it afresh. */
export function showAppAnswer(queryClient: QueryClient, answer: App & { backups?: unknown }): void {
  const { backups: _ignored, ...app } = answer;
  queryClient.setQueryData(appKeys.app(app.id), app);
  void queryClient.invalidateQueries({ queryKey: appKeys.app(app.id), exact: true });
  void queryClient.invalidateQueries({ queryKey: APPS_LIST_KEY });
}

/** The app's Proxmox host: admins only (the hosts routes are theirs), to name it and see it is down. */
export function useHostQuery(app: Pick<App, "id" | "host_id">, isAdmin: boolean) {
  const hostId = app.host_id ?? "";
  return useQuery({
    queryKey: appKeys.host(app.id, hostId),
    queryFn: () => unwrap(api.GET("/api/proxmox/hosts/{id}", { params: { path: { id: hostId } } })),
    enabled: isAdmin && hostId !== "",
    staleTime: 30_000,
    refetchInterval: 30_000,
  });
}
