import { Link } from "react-router";
import { useAppsTitle } from "../../auth/apps-title";
import { Page } from "../../components/Page";

export function NotFoundPage() {
  const appsTitle = useAppsTitle();
  return (
    <Page title="Page not found">
      <div className="state state-empty">
        <p>There is no page at this address.</p>
        <Link className="button" to="/apps">
          Go to {appsTitle}
        </Link>
      </div>
    </Page>
  );
}
