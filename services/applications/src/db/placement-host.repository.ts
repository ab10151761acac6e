import type { Kysely } from "kysely";
import type { ApplicationsDatabase } from "./database.js";

type Db = Kysely<ApplicationsDatabase>;

async function ensureRow(db: Db, hostId: string): Promise<void> {
  await db
    .insertInto("placement_hosts")
    .values({ host_id: hostId, retired_at: null })
    .onConflict((oc) => oc.column("host_id").doNothing())
    .execute();
}

/**
 * Locks the host's row FOR SHARE for the rest of the placing transaction (many placements at once,
 * but not while RetireHost holds it) and tells whether the host is retired.
 */
export async function lockHostForPlacement(db: Db, hostId: string): Promise<{ retired: boolean }> {
  // The row exists after the host's first placement: one statement from then on.
  let row = await selectForShare(db, hostId);
  if (!row) {
    await ensureRow(db, hostId);
    row = await selectForShare(db, hostId);
  }
  if (!row) throw new Error(`placement_hosts row of ${hostId} missing after its insert`);
  return { retired: row.retired_at !== null };
}

function selectForShare(db: Db, hostId: string) {
  return db
    .selectFrom("placement_hosts")
    .select("retired_at")
    .where("host_id", "=", hostId)
    .forShare()
    .executeTakeFirst();
}

/** Locks the host's row FOR UPDATE: placements in progress finish first, new ones wait. */
export async function lockHostForRetirement(db: Db, hostId: string): Promise<void> {
  await ensureRow(db, hostId);
  await db
    .selectFrom("placement_hosts")
    .select("host_id")
    .where("host_id", "=", hostId)
    .forUpdate()
    .execute();
}

export async function markHostRetired(db: Db, hostId: string, retired: boolean): Promise<void> {
  await db
    .updateTable("placement_hosts")
    .set({ retired_at: retired ? new Date() : null })
    .where("host_id", "=", hostId)
    .execute();
}
