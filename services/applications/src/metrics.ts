/**
 * Business figures of the applications service: apps by status (read from the folded count rows
 * on each scrape, the same source as the list's totals), deployments requested and placements
 * that shared an answer of the hosts service. No per-app or per-user label: statuses are fixed in
 * code.
 */
import { counter, gaugeFromSources } from "@proximity/metrics";
import { type Kysely, sql } from "kysely";
import type { ApplicationsDatabase } from "./db/database.js";

export const appsByStatus = gaugeFromSources({
  name: "proximity_apps",
  help: "Apps by status (gone excluded), platform-wide, counted on scrape",
  labelNames: ["status"],
});

export const deploysRequested = counter({
  name: "proximity_deploys_requested_total",
  help: "Deployments requested (new apps recorded as deploying; idempotent repeats not counted)",
  labelNames: [],
});

/**
 * Reports the apps by status of `db` on each scrape; returns the function that stops it. One
 * aggregate over `app_counts` (a few rows per owner, folded every 10 s), not over `apps`.
 */
export function watchAppStatuses(db: Kysely<ApplicationsDatabase>): () => void {
  return appsByStatus.add(async () => {
    const rows = await db
      .selectFrom("app_counts")
      .select(["status", sql<string>`sum(n)`.as("n")])
      .where("status", "<>", "gone")
      .groupBy("status")
      .execute();
    return rows.map((row) => ({ labels: { status: row.status }, value: Number(row.n) }));
  });
}

export const placementAnswersShared = counter({
  name: "proximity_applications_placement_answers_shared_total",
  help: 'Placements that followed an answer of the hosts service asked by another placement of this replica (PLACEMENT_MAX_AGE_MS); the calls made are proximity_grpc_client_handled_total{method="ResolvePlacement"}',
  labelNames: [],
});
