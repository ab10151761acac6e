import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import { Page } from "../../components/Page";
import { Pager } from "../../components/Pager";
import { Empty, ErrorState, InlineError, Loading } from "../../components/States";
import { usePageParam } from "../../lib/usePageParam";
import { CatalogCard } from "./CatalogCard";
import { catalogKeys } from "./catalog-queries";
import { StoreFilters } from "./StoreFilters";
import "./store.css";

export const CATALOG_PAGE_SIZE = 60;

/** The catalog: every app that can be deployed, searchable and filtered by category. */
export function StorePage() {
  const [params, setParams] = useSearchParams();
  const search = params.get("search") ?? "";
  const category = params.get("category") ?? "";
  const { page, goTo: goToPage } = usePageParam();
  const catalog = useQuery({
    queryKey: catalogKeys.page({ search, category, page }),
    queryFn: () =>
      unwrap(
        api.GET("/api/catalog", {
          params: {
            query: {
              search: search || undefined,
              category: category || undefined,
              page,
              per_page: CATALOG_PAGE_SIZE,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });

  const clearFilters = () => setParams(new URLSearchParams());
  const filtered = Boolean(search || category);

  return (
    <Page title="Store" lead="Apps you can deploy on your Proxmox hosts. Pick one to see what it needs.">
      <StoreFilters />
      {catalog.isPending ? (
        <Loading label="Loading the catalog…" />
      ) : catalog.isError && !catalog.data ? (
        <ErrorState error={catalog.error} retry={() => catalog.refetch()} />
      ) : catalog.data.items.length === 0 ? (
        page > 1 ? (
          <Empty title="No apps on this page">
            <p>The list is shorter than this page number.</p>
            <button type="button" className="button" onClick={() => goToPage(1)}>
              Go to the first page
            </button>
          </Empty>
        ) : filtered ? (
          <Empty title="No app matches">
            <p>
              Nothing in the catalog matches {search ? <q>{search}</q> : "this category"}. Try other words.
            </p>
            <button type="button" className="button" onClick={clearFilters}>
              Show all apps
            </button>
          </Empty>
        ) : (
          <Empty title="The catalog is empty">
            <p>No app can be deployed yet. An administrator can add apps to the catalog and reload it.</p>
          </Empty>
        )
      ) : (
        <section aria-label="Apps in the store" aria-busy={catalog.isFetching}>
          {catalog.isError ? <InlineError error={catalog.error} /> : null}
          <p className="muted" role="status">
            {countText(catalog.data.total, filtered)}
          </p>
          <ul className="grid catalog-grid">
            {catalog.data.items.map((item) => (
              <CatalogCard key={item.id} item={item} />
            ))}
          </ul>
          <Pager
            page={page}
            perPage={CATALOG_PAGE_SIZE}
            total={catalog.data.total}
            label="Catalog pages"
            onPage={goToPage}
          />
        </section>
      )}
      <p className="store-footer muted">
        Already deployed something? <Link to="/apps">See my apps</Link>.
      </p>
    </Page>
  );
}

function countText(total: number, filtered: boolean): string {
  const apps = `${total.toLocaleString()} ${total === 1 ? "app" : "apps"}`;
  return filtered ? `${apps} found` : `${apps} in the catalog`;
}
