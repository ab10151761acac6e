import { Button } from "./Button";

interface PagerProps {
  readonly page: number;
  readonly perPage: number;
  readonly total: number;
  /** The navigation's name, e.g. "Pages of users". */
  readonly label: string;
  readonly previousLabel?: string;
  readonly nextLabel?: string;
  onPage(page: number): void;
}

/** Previous / next through a paged list, saying where one is; nothing when it fits on one page. */
export function Pager(props: PagerProps) {
  const { page, perPage, total, label, onPage } = props;
  const { previousLabel = "Previous page", nextLabel = "Next page" } = props;
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label={label}>
      {/* Unavailable, not disabled: on the last page the Next just pressed keeps the focus. */}
      <Button className="button" unavailable={page <= 1} onClick={() => onPage(page - 1)}>
        {previousLabel}
      </Button>
      <span aria-current="page">
        Page {page} of {pages}
      </span>
      <Button className="button" unavailable={page >= pages} onClick={() => onPage(page + 1)}>
        {nextLabel}
      </Button>
    </nav>
  );
}
