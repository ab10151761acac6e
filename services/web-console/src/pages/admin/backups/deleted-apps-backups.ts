import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../../../api/client";
import { unwrap } from "../../../api/errors";
import { ALL_BACKUPS_KEY } from "../../app/app-queries";
import { isBackupBusy } from "../../app/BackupTable";

/** Backups per page of the list. */
export const DELETED_APPS_BACKUPS_PER_PAGE = 20;

/**
 * One page of the backups kept after their app was deleted (`GET /api/backups?app_deleted=true`,
 * admins only), newest first; read again every 3 s while one on the page is being deleted or
 * restored from.
 */
export function useDeletedAppsBackups(page: number) {
  return useQuery({
    queryKey: [...ALL_BACKUPS_KEY, "of-deleted-apps", page],
    queryFn: () =>
      unwrap(
        api.GET("/api/backups", {
          params: { query: { app_deleted: "true", page, per_page: DELETED_APPS_BACKUPS_PER_PAGE } },
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.items.some(isBackupBusy) ? 3_000 : false),
  });
}
