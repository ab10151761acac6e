import { type RawBuilder, sql } from "kysely";

/** What a data-modifying CTE that no query reads yields, as kysely types it. */
export type NoColumns = Record<string, never>;

/**
 * A raw data-modifying statement (an insert built with `sql`, e.g. outboxInsertStatement's) as a
 * CTE of a kysely query: `.with("recorded", () => sideEffect(statement))`. PostgreSQL runs a
 * data-modifying CTE to completion whether or not anything reads it; kysely does not parenthesise
 * a raw expression itself.
 */
export function sideEffect(statement: RawBuilder<unknown>): RawBuilder<NoColumns> {
  return sql<NoColumns>`(${statement})`;
}
