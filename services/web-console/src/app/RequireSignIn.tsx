import { Fragment, type ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { SessionEndedDialog } from "../auth/SessionEndedDialog";
import { sessionUser, useSession } from "../auth/session";
import { ErrorState, Loading } from "../components/States";
import { ForbiddenPage } from "../pages/not-found/ForbiddenPage";

/** Where sign-in leads back to: the path the person was on (same origin only). */
export function signInPathFor(location: { pathname: string; search: string }): string {
  return `/sign-in?next=${encodeURIComponent(`${location.pathname}${location.search}`)}`;
}

/**
 * Pages for signed-in people: anyone else goes to sign-in, and comes back here after. A session
 * that ends under open pages is renewed in a dialog over them, so nothing typed is lost. The pages
 * are keyed by who is signed in: another person signing in never inherits the first one's screens.
 */
export function RequireSignIn({ children }: { readonly children: ReactNode }) {
  const { state, recheck } = useSession();
  const location = useLocation();
  if (state.status === "loading") return <Loading label="Checking your session…" />;
  if (state.status === "unavailable") {
    return (
      <main id="main" className="content">
        <ErrorState error={state.error} retry={recheck} />
      </main>
    );
  }
  if (state.status === "signed-out") return <Navigate replace to={signInPathFor(location)} />;
  return (
    <>
      <Fragment key={state.user.id}>{children}</Fragment>
      {state.status === "ended" ? <SessionEndedDialog user={state.user} /> : null}
    </>
  );
}

/** Admin pages: a signed-in non-admin sees why they cannot enter. */
export function RequireAdmin({ children }: { readonly children: ReactNode }) {
  const { state } = useSession();
  if (sessionUser(state)?.is_admin === false) return <ForbiddenPage />;
  return children;
}
