import { Link, useParams } from "react-router";
import { Page } from "../../components/Page";
import { ErrorState, Loading } from "../../components/States";
import { CatalogDetails } from "./CatalogDetails";
import { useCatalogItem } from "./catalog-queries";
import { DeployForm } from "./DeployForm";
import "./store.css";

const backToStore = (
  <Link className="button" to="/store">
    Back to the store
  </Link>
);

/** One app of the store: what it is and needs, and the form to deploy it. */
export function CatalogAppPage() {
  const catalogId = useParams().catalogId ?? "";
  const item = useCatalogItem(catalogId, { readOnOpen: true });

  if (item.isPending) {
    return (
      <Page title="Store" actions={backToStore}>
        <Loading label="Loading the app…" />
      </Page>
    );
  }
  if (item.isError) {
    return (
      <Page title="App not available">
        <ErrorState
          error={item.error}
          retry={() => item.refetch()}
          back={{ to: "/store", label: "Back to the store" }}
        />
      </Page>
    );
  }
  return (
    <Page
      title={item.data.name}
      lead={`${item.data.category} · version ${item.data.version}`}
      actions={backToStore}
    >
      <div className="catalog-app">
        <CatalogDetails item={item.data} />
        {/* Keyed by the app: another catalog app starts from its own defaults. */}
        <DeployForm key={item.data.id} item={item.data} />
      </div>
    </Page>
  );
}
