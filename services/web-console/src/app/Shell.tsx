import { NavLink, Outlet } from "react-router";
import { useAppsTitle } from "../auth/apps-title";
import { useCurrentUser } from "../auth/session";
import { useSignOut } from "../auth/useSignOut";

/** The frame of every signed-in page: skip link, navigation, the signed-in user, the page. */
export function Shell() {
  const user = useCurrentUser();
  const signOut = useSignOut();
  const appsTitle = useAppsTitle();
  const links = [
    { to: "/store", label: "Store" },
    { to: "/apps", label: appsTitle },
    ...(user.is_admin ? [{ to: "/admin", label: "Admin" }] : []),
    { to: "/account", label: "Account" },
  ];
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <NavLink to="/apps" className="brand" aria-label={`Proximity, ${appsTitle.toLowerCase()}`}>
          <img src="/favicon.svg" alt="" width="24" height="24" />
          <span>Proximity</span>
        </NavLink>
        <nav aria-label="Main">
          <ul>
            {links.map((link) => (
              <li key={link.to}>
                <NavLink to={link.to}>{link.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="user-menu">
          <span className="user-name">
            {user.username}
            {user.is_admin ? <span className="tag">admin</span> : null}
          </span>
          <button type="button" className="button button-quiet" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="content">
        <Outlet />
      </main>
    </>
  );
}
