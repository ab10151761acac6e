import { Link } from "react-router";
import { Page } from "../../components/Page";

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <div className="state state-empty">
        <p>There is no page at this address.</p>
        <Link className="button" to="/apps">
          Go to My apps
        </Link>
      </div>
    </Page>
  );
}
