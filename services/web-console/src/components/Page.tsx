import { type ReactNode, useEffect, useRef } from "react";

interface PageProps {
  readonly title: string;
  /** Shown under the title. */
  readonly lead?: ReactNode;
  /** Buttons or links beside the title. */
  readonly actions?: ReactNode;
  readonly children: ReactNode;
}

/**
 * False until a first page has shown. The browser's own load leaves focus at the start of the
 * document, so the first Tab reaches the skip link; only later, in-app navigations move it.
 */
let pageShownBefore = false;

/**
 * One screen: sets the document title and, after an in-app navigation, moves focus to the
 * heading, so a screen reader announces where it led (a single-page app has no page load to do it).
 */
export function Page({ title, lead, actions, children }: PageProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Proximity`;
  }, [title]);
  useEffect(() => {
    if (pageShownBefore) heading.current?.focus({ preventScroll: true });
    pageShownBefore = true;
  }, []);
  return (
    <>
      <header className="page-header">
        <div>
          <h1 ref={heading} tabIndex={-1}>
            {title}
          </h1>
          {lead ? <p className="lead">{lead}</p> : null}
        </div>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </header>
      {children}
    </>
  );
}
