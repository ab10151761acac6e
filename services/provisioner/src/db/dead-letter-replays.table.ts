import type { ColumnType } from "kysely";

/** One dead letter republished by ReplayDeadLetter (at most one row per dead letter). */
export interface DeadLetterReplaysTable {
  /** The record's sequence in the dead-letter stream. */
  dead_letter_seq: ColumnType<number, number, never>;
  /** `ce-id` of the event the record holds. */
  event_id: string;
  operation_id: string;
  /** Where the request was republished, and its sequence there (set once published). */
  subject: string;
  stream_seq: ColumnType<number | null, number | null | undefined, number>;
  /** The calling identity (sre) and the call's trace id. */
  replayed_by: string;
  trace_id: string | null;
  replayed_at: ColumnType<Date, never, never>;
}
