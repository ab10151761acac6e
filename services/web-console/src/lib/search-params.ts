/**
 * `params` with `name` set to `value` (left out when empty) and the `reset` parameters dropped: once
 * a filter changes, the page or cursor of the old list no longer applies.
 */
export function withParam(
  params: URLSearchParams,
  name: string,
  value: string,
  reset: readonly string[] = [],
): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value) next.set(name, value);
  else next.delete(name);
  for (const other of reset) next.delete(other);
  return next;
}

/** A page number from the URL: a positive integer, else the first page. */
export function pageFrom(value: string | null): number {
  const page = Number(value);
  return Number.isInteger(page) && page >= 1 ? page : 1;
}
