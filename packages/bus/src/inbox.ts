import type { Kysely, Transaction } from "kysely";
import type { MessagingTables } from "./tables.js";

/**
 * Runs `work` in one transaction with an inbox row for (consumer, eventId). If the row already
 * exists the event was processed before: nothing runs and `false` is returned (ack and move on).
 * The constraint decides, so two deliveries racing on two replicas cannot both do the work.
 */
export async function processOnce<DB extends MessagingTables, R>(
  db: Kysely<DB>,
  consumer: string,
  eventId: string,
  work: (trx: Transaction<DB>) => Promise<R>,
): Promise<{ processed: true; result: R } | { processed: false }> {
  return db.transaction().execute(async (trx) => {
    const inserted = await (trx as unknown as Transaction<MessagingTables>)
      .insertInto("inbox")
      .values({ consumer, event_id: eventId })
      .onConflict((oc) => oc.columns(["consumer", "event_id"]).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return { processed: false as const };
    return { processed: true as const, result: await work(trx) };
  });
}
