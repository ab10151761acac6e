/**
 * Conditions on a list of values passed as one array parameter (`= any($1::uuid[])`) rather than
 * as `in ($1, $2, …)`: the statement has one text whatever the count, so it is one prepared
 * statement (prepared-statements.ts names the first distinct texts only, and a spelt-out list
 * would take a name per length). Their NULL semantics are those of `in` and `not in`.
 */
import { type RawBuilder, sql } from "kysely";

/** The element types of the lists the services pass. */
export type ListElementType = "text" | "uuid" | "bigint";

/** `column = any($1::<type>[])`: `column` is one of `values` (as `column in (…)`). */
export function isAnyOf(
  column: string,
  values: readonly (string | number)[],
  type: ListElementType,
): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} = any(${sql.val(values)}::${sql.raw(type)}[])`;
}

/** `column <> all($1::<type>[])`: `column` is none of `values` (as `column not in (…)`). */
export function isNoneOf(
  column: string,
  values: readonly (string | number)[],
  type: ListElementType,
): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} <> all(${sql.val(values)}::${sql.raw(type)}[])`;
}
