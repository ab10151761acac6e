import { NavLink } from "react-router";

interface SubNavProps {
  readonly label: string;
  readonly links: readonly { readonly to: string; readonly label: string; readonly end?: boolean }[];
}

/** The sections of an area (admin, account): the current one is marked for assistive technology too. */
export function SubNav({ label, links }: SubNavProps) {
  return (
    <nav className="sub-nav" aria-label={label}>
      <ul>
        {links.map((link) => (
          <li key={link.to}>
            <NavLink to={link.to} end={link.end}>
              {link.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
