import { type Kysely, sql } from "kysely";
import type { ApplicationsDatabase } from "./database.js";

type Db = Kysely<ApplicationsDatabase>;

async function ensureRow(db: Db, hostId: string): Promise<void> {
  await db
    .insertInto("placement_hosts")
    .values({ host_id: hostId, retired_at: null })
    .onConflict((oc) => oc.column("host_id").doNothing())
    .execute();
}

/** Whose quota a placement counts against, for the early look at it (see lockHostForPlacement). */
export interface QuotaOwner {
  readonly userId: string;
  /** The limit of a user without one of their own. */
  readonly defaultMax: number;
}

/**
 * Locks the host's row FOR SHARE for the rest of the placing transaction (many placements at once,
 * but not while RetireHost holds it) and tells whether the host is retired and whether `owner`'s
 * quota is reached as of now, in the same statement. The quota is only looked at here (no lock):
 * the placement's last statement decides it (reserveAppSlot); this look refuses a user plainly
 * over quota before any work, with the quota as the reason whatever else is wrong.
 */
export async function lockHostForPlacement(
  db: Db,
  hostId: string,
  owner: QuotaOwner,
): Promise<{ retired: boolean; quotaReached: boolean }> {
  // The row exists after the host's first placement: one statement from then on.
  let row = await selectForShare(db, hostId, owner);
  if (!row) {
    await ensureRow(db, hostId);
    row = await selectForShare(db, hostId, owner);
  }
  if (!row) throw new Error(`placement_hosts row of ${hostId} missing after its insert`);
  return { retired: row.retired_at !== null, quotaReached: row.quota_reached };
}

function selectForShare(db: Db, hostId: string, { userId, defaultMax }: QuotaOwner) {
  return db
    .selectFrom("placement_hosts")
    .select((eb) => [
      "retired_at",
      // A user without a quota row has no app yet: reached only if the default is 0.
      eb.fn
        .coalesce(
          eb
            .selectFrom("user_quotas")
            .select(sql<boolean>`live_apps >= coalesce(max_apps, ${defaultMax})`.as("reached"))
            .where("user_id", "=", userId),
          sql<boolean>`${sql.lit(defaultMax <= 0)}`,
        )
        .as("quota_reached"),
    ])
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
