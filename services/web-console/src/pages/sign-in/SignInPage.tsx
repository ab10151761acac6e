import { Navigate, useSearchParams } from "react-router";
import { SignInForm } from "../../auth/SignInForm";
import { useSession } from "../../auth/session";
import { Page } from "../../components/Page";

const HOME = "/apps";

/**
 * Only a page of this site: `next` must never lead elsewhere (open redirect). Resolved the way the
 * browser would (tabs and backslashes included), kept only when it stays on this origin.
 */
export function safeNextPath(next: string | null, origin: string = window.location.origin): string {
  if (!next?.startsWith("/")) return HOME;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return HOME;
  }
  if (url.origin !== origin || url.pathname.startsWith("/sign-in")) return HOME;
  // `/.//evil.example` resolves to the path `//evil.example`: the router would take that for
  // another origin and crash the page. No page of the console starts so.
  if (url.pathname.startsWith("//")) return HOME;
  return `${url.pathname}${url.search}${url.hash}`;
}

export function SignInPage() {
  const { state } = useSession();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get("next"));

  if (state.status === "signed-in") return <Navigate replace to={next} />;

  return (
    <div className="sign-in">
      <Page title="Sign in to Proximity">
        <SignInForm />
      </Page>
    </div>
  );
}
