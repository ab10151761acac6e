import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import { SearchFilters } from "../../components/SearchFilters";
import { CATALOG_STALE_MS, catalogKeys } from "./catalog-queries";

/** The store's search box and category filter, both kept in the URL query. */
export function StoreFilters() {
  const [params] = useSearchParams();
  const category = params.get("category") ?? "";
  const categories = useQuery({
    queryKey: catalogKeys.categories,
    queryFn: () => unwrap(api.GET("/api/catalog/categories")),
    staleTime: CATALOG_STALE_MS,
  });
  const names = categories.data?.items ?? [];
  // A category from an old link stays selectable, so the select shows what is filtered.
  const options = category && !names.includes(category) ? [category, ...names] : names;
  return (
    <SearchFilters
      label="Search the store"
      searchLabel="Search apps"
      choice={{
        name: "category",
        label: "Category",
        allLabel: "All categories",
        value: category,
        options: options.map((name) => ({ value: name, label: name })),
        hint: categories.isError ? "Categories could not be loaded." : undefined,
      }}
      reset={["page"]}
    />
  );
}
