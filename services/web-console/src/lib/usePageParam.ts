import { useSearchParams } from "react-router";
import { pageFrom, withParam } from "./search-params";

/** The page of a paged list, kept in the URL (`?page=`, left out for the first) so a link keeps it. */
export function usePageParam(): { readonly page: number; goTo(page: number): void } {
  const [params, setParams] = useSearchParams();
  return {
    page: pageFrom(params.get("page")),
    goTo: (page) => setParams((current) => withParam(current, "page", page > 1 ? String(page) : "")),
  };
}
