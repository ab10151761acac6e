import type { Transaction } from "kysely";
import { insertPolicyIfAbsent } from "../db/backup-policy.repository.js";
import type { BackupsDatabase } from "../db/database.js";
import { DEFAULT_BACKUP_POLICY } from "../domain/backup-policy.js";

/** Gives a newly deployed app the default policy; an app that has one keeps it. True when created. */
export async function createDefaultPolicy(
  trx: Transaction<BackupsDatabase>,
  appId: string,
): Promise<boolean> {
  return insertPolicyIfAbsent(trx, { appId, ...DEFAULT_BACKUP_POLICY });
}
