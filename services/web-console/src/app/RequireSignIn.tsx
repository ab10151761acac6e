import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { useSession } from "../auth/session";
import { ErrorState, Loading } from "../components/States";
import { ForbiddenPage } from "../pages/not-found/ForbiddenPage";

/** Where sign-in leads back to: the path the person was on (same origin only). */
export function signInPathFor(location: { pathname: string; search: string }, expired: boolean): string {
  const next = encodeURIComponent(`${location.pathname}${location.search}`);
  return `/sign-in?next=${next}${expired ? "&expired=1" : ""}`;
}

/** Pages for signed-in people: anyone else goes to sign-in, and comes back here after. */
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
  if (state.status === "signed-out") return <Navigate replace to={signInPathFor(location, state.expired)} />;
  return children;
}

/** Admin pages: a signed-in non-admin sees why they cannot enter. */
export function RequireAdmin({ children }: { readonly children: ReactNode }) {
  const { state } = useSession();
  if (state.status === "signed-in" && !state.user.is_admin) return <ForbiddenPage />;
  return children;
}
