import { sql } from "kysely";
import type { ApplicationsDb } from "./database.js";

/**
 * Folds the count rows of up to `maxOwners` owners (those with the most rows) into one per
 * status (app_counts_compact, migration 0005); how many rows it folded. Sums are unchanged, so it
 * may run anywhere, any time, beside writers and other replicas.
 */
export async function compactAppCounts(db: ApplicationsDb, maxOwners: number): Promise<number> {
  const { rows } = await sql<{ folded: number }>`select app_counts_compact(${maxOwners}) as folded`.execute(
    db,
  );
  return rows[0]?.folded ?? 0;
}
