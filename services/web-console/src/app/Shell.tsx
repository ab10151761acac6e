import { NavLink, Outlet, useNavigate } from "react-router";
import { useCurrentUser, useSession } from "../auth/session";

/** The frame of every signed-in page: skip link, navigation, the signed-in user, the page. */
export function Shell() {
  const user = useCurrentUser();
  const { signOut } = useSession();
  const navigate = useNavigate();
  const links = [
    { to: "/store", label: "Store" },
    { to: "/apps", label: "My apps" },
    ...(user.is_admin ? [{ to: "/admin", label: "Admin" }] : []),
    { to: "/account", label: "Account" },
  ];
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <NavLink to="/apps" className="brand" aria-label="Proximity, my apps">
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
          <button
            type="button"
            className="button button-quiet"
            onClick={async () => {
              await signOut();
              navigate("/sign-in", { replace: true });
            }}
          >
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
