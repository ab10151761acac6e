import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";

/**
 * Query keys of the catalog, one set for the whole console (the store, the app page's catalog
 * app, the names in My apps, adoption): the same read shares one cache, and an admin's reload
 * (which invalidates `catalogKeys.all`) refreshes every one.
 */
export const catalogKeys = {
  all: ["catalog"] as const,
  page: (filters: { search: string; category: string; page: number }) =>
    ["catalog", "page", filters] as const,
  categories: ["catalog", "categories"] as const,
  item: (catalogId: string) => ["catalog", "item", catalogId] as const,
  firstApps: ["catalog", "first-apps"] as const,
  count: ["catalog", "count"] as const,
};

/** The catalog changes only when an admin reloads it, which refreshes it at once. */
export const CATALOG_STALE_MS = 5 * 60_000;

/** How many apps `useFirstCatalogApps` reads: more than a catalog has for a long while. */
export const FIRST_CATALOG_APPS = 100;

/**
 * One catalog app with its compose file (none is asked for while `catalogId` is empty).
 * `readOnOpen`: read afresh whenever the screen opens (the deploy form is generated from it, and
 * an admin may have reloaded the catalog from another browser), showing what is cached meanwhile.
 */
export function useCatalogItem(catalogId: string, { readOnOpen = false }: { readOnOpen?: boolean } = {}) {
  return useQuery({
    queryKey: catalogKeys.item(catalogId),
    queryFn: () => unwrap(api.GET("/api/catalog/{app_id}", { params: { path: { app_id: catalogId } } })),
    enabled: catalogId !== "",
    staleTime: CATALOG_STALE_MS,
    refetchOnMount: readOnOpen ? "always" : true,
  });
}

/** The first FIRST_CATALOG_APPS catalog apps: to name apps by their catalog app, and to choose one. */
export function useFirstCatalogApps() {
  return useQuery({
    queryKey: catalogKeys.firstApps,
    queryFn: () => unwrap(api.GET("/api/catalog", { params: { query: { per_page: FIRST_CATALOG_APPS } } })),
    staleTime: CATALOG_STALE_MS,
  });
}

/**
 * Catalog id → name, to show "Nextcloud" rather than "nextcloud" (the id stays the fallback: an
 * app beyond the first FIRST_CATALOG_APPS, or one the catalog no longer offers).
 */
export function useCatalogNames(): ReadonlyMap<string, string> {
  const catalog = useFirstCatalogApps();
  return new Map(catalog.data?.items.map((item) => [item.id, item.name]));
}
