import { upsertAppOwner } from "../db/app-owner.repository.js";
import { insertDefaultPolicyIfAbsent } from "../db/backup-policy.repository.js";
import type { BackupsDb } from "../db/database.js";

/**
 * An app exists (deployed, cloned, adopted, or restored into from a backup): remember its owner
 * and give it the default policy unless it has one. An app already deleted gets no policy.
 */
export async function recordAppOwner(
  trx: BackupsDb,
  appId: string,
  ownerId: string,
): Promise<{ policyCreated: boolean; deleted: boolean }> {
  const { deleted } = await upsertAppOwner(trx, appId, ownerId);
  if (deleted) return { policyCreated: false, deleted };
  return { policyCreated: await insertDefaultPolicyIfAbsent(trx, appId), deleted };
}
