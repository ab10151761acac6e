import { useLocation, useNavigate, useSearchParams } from "react-router";

/**
 * Where a cursor page sits, kept in the history entry's state (the URL holds only the current
 * cursor): the cursors of the pages before it, and whether that trail reaches the first page.
 * Back, forward and reload keep it; a shared link with a cursor has none, and then "Previous page"
 * goes to the first page and the position is not shown.
 */
interface Trail {
  readonly before: readonly string[];
  readonly fromStart: boolean;
}

function trailOf(state: unknown, cursor: string): Trail {
  const saved = (state as { trail?: Trail } | null)?.trail;
  if (saved && Array.isArray(saved.before) && saved.before.every((c) => typeof c === "string")) return saved;
  return { before: [], fromStart: cursor === "" };
}

export interface CursorPaging {
  /** The cursor of this page ("" on the first page). */
  readonly cursor: string;
  /** How many apps come before this page, when known. */
  readonly offset: number | undefined;
  readonly hasPrevious: boolean;
  next(nextCursor: string): void;
  previous(): void;
  first(): void;
}

/** Keyset paging over `cursor`/`next_cursor` (docs/api-pagination.md), with a way back. */
export function useCursorPaging(perPage: number): CursorPaging {
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const cursor = params.get("cursor") ?? "";
  const trail = trailOf(location.state, cursor);

  const go = (target: string, nextTrail: Trail) => {
    const query = new URLSearchParams(params);
    if (target) query.set("cursor", target);
    else query.delete("cursor");
    const search = query.toString();
    navigate(
      { pathname: location.pathname, search: search ? `?${search}` : "" },
      { state: { trail: nextTrail } },
    );
  };

  return {
    cursor,
    offset: trail.fromStart ? trail.before.length * perPage : undefined,
    hasPrevious: cursor !== "",
    next: (nextCursor) => go(nextCursor, { before: [...trail.before, cursor], fromStart: trail.fromStart }),
    previous: () => {
      if (trail.before.length === 0) go("", { before: [], fromStart: true });
      else go(trail.before.at(-1) ?? "", { before: trail.before.slice(0, -1), fromStart: trail.fromStart });
    },
    first: () => go("", { before: [], fromStart: true }),
  };
}
