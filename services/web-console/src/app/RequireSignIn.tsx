import { type ReactNode, useEffect, useRef } from "react";
import { Navigate, useLocation, useNavigate } from "react-router";
import { SessionEndedDialog } from "../auth/SessionEndedDialog";
import { sessionUser, useSession } from "../auth/session";
import { ErrorState, Loading } from "../components/States";
import { ForbiddenPage } from "../pages/not-found/ForbiddenPage";

/** Where sign-in leads back to: the path the person was on (same origin only). */
export function signInPathFor(location: { pathname: string; search: string }): string {
  return `/sign-in?next=${encodeURIComponent(`${location.pathname}${location.search}`)}`;
}

/** Where someone starts who signed in over another person's pages. */
const HOME = "/apps";

/**
 * Pages for signed-in people: anyone else goes to sign-in, and comes back here after. A session
 * that ends under open pages is renewed in a dialog over them, so nothing typed is lost; the pages
 * are hidden meanwhile (they may show the first person's data to whoever is at the screen now).
 * They are keyed by who is signed in: another person signing in (here or in another tab) never
 * inherits the first one's screens, and starts at the home page.
 */
export function RequireSignIn({ children }: { readonly children: ReactNode }) {
  const { state, recheck } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const userId = sessionUser(state)?.id;
  const shownFor = useRef(userId);
  useEffect(() => {
    if (userId === undefined) return;
    if (shownFor.current !== undefined && shownFor.current !== userId) navigate(HOME, { replace: true });
    shownFor.current = userId;
  }, [userId, navigate]);

  if (state.status === "loading") return <Loading label="Checking your session…" />;
  if (state.status === "unavailable") {
    return (
      <main id="main" className="content">
        <ErrorState error={state.error} retry={recheck} />
      </main>
    );
  }
  if (state.status === "signed-out") return <Navigate replace to={signInPathFor(location)} />;
  const ended = state.status === "ended";
  return (
    <>
      <div key={state.user.id} className="signed-in-pages" hidden={ended}>
        {children}
      </div>
      {ended ? <SessionEndedDialog user={state.user} /> : null}
    </>
  );
}

/** Admin pages: a signed-in non-admin sees why they cannot enter. */
export function RequireAdmin({ children }: { readonly children: ReactNode }) {
  const { state } = useSession();
  if (sessionUser(state)?.is_admin === false) return <ForbiddenPage />;
  return children;
}
