import type { BackupsDb } from "./database.js";

export interface StorageAt {
  readonly hostId: string;
  readonly node: string;
  readonly storage: string;
}

/**
 * Records `observedAt` as the newest listing of the storage on that node, unless a newer one was
 * applied already (a late observation must not undo what a newer one concluded). True when newer.
 */
export async function advanceStorageObservation(
  db: BackupsDb,
  at: StorageAt,
  observedAt: Date,
): Promise<boolean> {
  const row = await db
    .insertInto("storage_observations")
    .values({ host_id: at.hostId, node: at.node, storage: at.storage, observed_at: observedAt })
    .onConflict((oc) =>
      oc
        .columns(["host_id", "node", "storage"])
        .doUpdateSet({ observed_at: observedAt })
        .where("storage_observations.observed_at", "<", observedAt),
    )
    .returning("observed_at")
    .executeTakeFirst();
  return row !== undefined;
}
