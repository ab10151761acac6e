import { randomUUID } from "node:crypto";
import { newTraceparent } from "@proximity/bus";
import type { Kysely } from "kysely";
import type { HostsDatabase } from "../db/database.js";
import { claimDueChecks } from "../db/host.repository.js";
import { recordHostCheckRequested } from "../events/publish.js";

/**
 * One round of the periodic check: the hosts whose check is due (this round's share of them, see
 * claimDueChecks) each get a HostCheckRequested, and their next check moves one interval ahead, in
 * the same transaction (a crash requests nothing and claims nothing). Safe to run on every replica
 * at once: claiming is row by row.
 * @returns the ids of the hosts requested.
 */
export async function requestDueChecks(
  db: Kysely<HostsDatabase>,
  intervalMs: number,
  roundMs: number,
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const hostIds = await claimDueChecks(trx, intervalMs, roundMs);
    for (const hostId of hostIds)
      await recordHostCheckRequested(trx, { checkId: randomUUID(), hostId }, newTraceparent());
    return hostIds;
  });
}
