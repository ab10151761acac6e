import type { ReactNode } from "react";
import { useSearchParams } from "react-router";
import { withParam } from "../lib/search-params";
import { useDebouncedSearchParam } from "../lib/useDebouncedSearchParam";
import { SelectField, TextField } from "./Field";

interface ChoiceFilter {
  /** The query parameter it is kept in. */
  readonly name: string;
  readonly label: string;
  /** The first option, which filters nothing. */
  readonly allLabel: string;
  readonly value: string;
  readonly options: readonly { readonly value: string; readonly label: string }[];
  readonly hint?: ReactNode;
}

interface SearchFiltersProps {
  /** The name of the search landmark. */
  readonly label: string;
  readonly searchLabel: string;
  readonly choice: ChoiceFilter;
  /** Query parameters that no longer apply once a filter changes (the page, the cursor). */
  readonly reset: readonly string[];
}

/**
 * A list's search box (`?search=`, sent after typing pauses or on Enter) and one choice filter, both
 * kept in the URL query so reload, back and a shared link keep them.
 */
export function SearchFilters({ label, searchLabel, choice, reset }: SearchFiltersProps) {
  const [params, setParams] = useSearchParams();
  const search = useDebouncedSearchParam("search", reset);
  return (
    <search aria-label={label}>
      <form
        className="toolbar filters"
        onSubmit={(event) => {
          event.preventDefault();
          search.commitNow();
        }}
      >
        <TextField
          label={searchLabel}
          type="search"
          name="search"
          autoComplete="off"
          maxLength={200}
          value={search.text}
          onChange={(event) => search.setText(event.target.value)}
        />
        <SelectField
          label={choice.label}
          name={choice.name}
          value={choice.value}
          hint={choice.hint}
          onChange={(event) => setParams(withParam(params, choice.name, event.target.value, reset))}
        >
          <option value="">{choice.allLabel}</option>
          {choice.options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </SelectField>
      </form>
    </search>
  );
}
