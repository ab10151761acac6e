import { type AppFacts, upsertAppOwner } from "../db/app-owner.repository.js";
import { insertDefaultPolicyIfAbsent } from "../db/backup-policy.repository.js";
import type { BackupsDb } from "../db/database.js";

/**
 * An app exists (deployed, cloned, adopted, or restored into from a backup): remember its owner
 * and names, and give it the default policy unless it has one. An app already deleted gets no
 * policy. The app events do the same once per event, in one statement (recordAppOwnerOnce).
 */
export async function recordAppOwner(
  trx: BackupsDb,
  app: AppFacts,
): Promise<{ policyCreated: boolean; deleted: boolean }> {
  const { deleted } = await upsertAppOwner(trx, app);
  if (deleted) return { policyCreated: false, deleted };
  return { policyCreated: await insertDefaultPolicyIfAbsent(trx, app.appId), deleted };
}
