import type { Kysely } from "kysely";
import type { NodePlacement } from "./app-metrics.repository.js";
import type { ApplicationsDatabase } from "./database.js";

type Db = Kysely<ApplicationsDatabase>;

/**
 * Moves the node's watermark to `observedAt` if that is newer than every observation applied so
 * far. Under concurrency the row lock serialises two observations of one node; the older loses.
 * @returns false when the observation is older (or a repeat): it must be ignored.
 */
export async function advanceNodeObservation(db: Db, at: NodePlacement, observedAt: Date): Promise<boolean> {
  const row = await db
    .insertInto("observed_nodes")
    .values({ host_id: at.hostId, node: at.node, observed_at: observedAt })
    .onConflict((oc) =>
      oc
        .columns(["host_id", "node"])
        .doUpdateSet((eb) => ({ observed_at: eb.ref("excluded.observed_at") }))
        .where((eb) => eb("observed_nodes.observed_at", "<", eb.ref("excluded.observed_at"))),
    )
    .returning("observed_at")
    .executeTakeFirst();
  return row !== undefined;
}
