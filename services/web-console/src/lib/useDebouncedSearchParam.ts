import { useCallback, useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { withParam } from "./search-params";

export const SEARCH_DEBOUNCE_MS = 300;

interface DebouncedSearchParam {
  /** What is in the box now. */
  readonly text: string;
  setText(text: string): void;
  /** Writes the box to the URL at once (Enter). */
  commitNow(): void;
}

/**
 * A text filter kept in the URL query, so reload, back and a shared link keep it. Typing is written
 * after a pause (replacing the history entry: one per search, not per key); the URL changing by
 * itself (back, forward, a link) updates the box. `reset` names parameters that no longer apply
 * when the filter changes (the page or cursor).
 */
export function useDebouncedSearchParam(name: string, reset: readonly string[] = []): DebouncedSearchParam {
  const [params, setParams] = useSearchParams();
  const committed = params.get(name) ?? "";
  const [text, setText] = useState(committed);
  // The last value this hook wrote: a URL different from it was changed by navigation.
  const written = useRef(committed);
  const resetRef = useRef(reset);
  resetRef.current = reset;

  useEffect(() => {
    if (committed !== written.current) {
      written.current = committed;
      setText(committed);
    }
  }, [committed]);

  const commit = useCallback(
    (value: string) => {
      written.current = value;
      setParams((current) => withParam(current, name, value, resetRef.current), { replace: true });
    },
    [name, setParams],
  );

  useEffect(() => {
    const value = text.trim();
    if (value === written.current) return undefined;
    const timer = setTimeout(() => commit(value), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, commit]);

  const commitNow = useCallback(() => {
    const value = text.trim();
    if (value !== written.current) commit(value);
  }, [text, commit]);

  return { text, setText, commitNow };
}
