import type { Transaction } from "kysely";
import { markAppDeleted, upsertAppOwner } from "../db/app-owner.repository.js";
import type { BackupsDatabase } from "../db/database.js";
import { createDefaultPolicy } from "./create-default-policy.js";

/**
 * An app exists (deployed, cloned or adopted): remember its owner and give it the default policy
 * unless it has one. An app already deleted gets no policy. True when a policy was created.
 */
export async function recordAppOwner(
  trx: Transaction<BackupsDatabase>,
  appId: string,
  ownerId: string,
): Promise<{ policyCreated: boolean; deleted: boolean }> {
  const { deleted } = await upsertAppOwner(trx, appId, ownerId);
  if (deleted) return { policyCreated: false, deleted };
  return { policyCreated: await createDefaultPolicy(trx, appId), deleted };
}

/** An app is gone: only admins see its policy (and later its backups) from now on. */
export async function recordAppDeleted(
  trx: Transaction<BackupsDatabase>,
  appId: string,
  ownerId: string,
): Promise<void> {
  await markAppDeleted(trx, appId, ownerId);
}
