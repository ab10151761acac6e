import { type OutboxRecord, outboxInsertStatement } from "@proximity/bus";
import { type NoColumns, sideEffect } from "@proximity/db";
import { type RawBuilder, sql } from "kysely";

/**
 * The outbox insert of `event` as a CTE of a business change's statement, recorded only when
 * `onlyIf` holds (a condition on the change's CTE, e.g. `exists (select from settled)`); without an
 * event, an empty CTE.
 */
export function recordedIf(
  event: OutboxRecord<unknown> | undefined,
  onlyIf: RawBuilder<unknown>,
): RawBuilder<NoColumns> {
  if (!event) return sql<NoColumns>`(select)`;
  return sideEffect(outboxInsertStatement(event.event, event.payload, event.meta, { onlyIf }).statement);
}
