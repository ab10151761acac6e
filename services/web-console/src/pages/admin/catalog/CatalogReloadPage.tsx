import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../../../api/client";
import { unwrap } from "../../../api/errors";
import { Button } from "../../../components/Button";
import { FormErrorSummary } from "../../../components/FormErrorSummary";
import { Page } from "../../../components/Page";
import { useRefusalFocus } from "../../../lib/useRefusalFocus";
import { catalogKeys } from "../../store/catalog-queries";

/**
 * Reloads the catalog files on every replica. A broken file is refused whole (400, each problem
 * named `<file>: <field>`) and the previous catalog stays in effect, which the page says.
 */
export function CatalogReloadPage() {
  const queryClient = useQueryClient();
  const current = useQuery({
    queryKey: catalogKeys.count,
    queryFn: () => unwrap(api.GET("/api/catalog", { params: { query: { per_page: 1 } } })),
  });
  const { ref, refused } = useRefusalFocus<HTMLElement>();
  const reload = useMutation({
    mutationFn: () => unwrap(api.POST("/api/catalog/reload")),
    // Every catalog read (store, app pages, adoption) may have changed.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: catalogKeys.all }),
    onError: refused,
  });
  return (
    <Page title="Catalog" lead="The apps people can deploy from the store, read from the catalog files.">
      <section ref={ref} className="panel" aria-labelledby="catalog-reload">
        <h2 id="catalog-reload">Reload the catalog</h2>
        <p>
          After changing the catalog files, reload them so every gateway replica serves the new catalog. Apps
          already deployed are not changed.
        </p>
        {current.data ? <p className="muted">The store lists {current.data.total} apps now.</p> : null}
        <div className="actions">
          <Button
            className="button button-primary"
            unavailable={reload.isPending}
            onClick={() => reload.mutate()}
          >
            {reload.isPending ? "Reloading…" : "Reload catalog"}
          </Button>
        </div>
        <div role="status" aria-live="polite">
          {reload.data ? (
            <p className="notice">
              Catalog reloaded: {reload.data.count} {reload.data.count === 1 ? "app" : "apps"}.{" "}
              <Link to="/store">Open the store</Link>
            </p>
          ) : null}
        </div>
        {reload.error ? (
          <>
            <FormErrorSummary error={reload.error} />
            <p>The previous catalog stays in effect until the files are fixed and reloaded.</p>
          </>
        ) : null}
      </section>
    </Page>
  );
}
