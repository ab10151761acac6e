import { Link } from "react-router";
import { useAppsTitle } from "../../auth/apps-title";
import { Page } from "../../components/Page";

export function ForbiddenPage() {
  const appsTitle = useAppsTitle();
  return (
    <Page title="Not allowed">
      <div className="state state-error">
        <p>This part of Proximity is for administrators. Ask an administrator if you need access.</p>
        <Link className="button" to="/apps">
          Go to {appsTitle}
        </Link>
      </div>
    </Page>
  );
}
