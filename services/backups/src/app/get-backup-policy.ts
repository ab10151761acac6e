import { NotFoundError, ValidationError } from "@proximity/errors";
import type { Kysely } from "kysely";
import { findPolicy } from "../db/backup-policy.repository.js";
import type { BackupsDatabase } from "../db/database.js";
import type { BackupPolicy } from "../domain/backup-policy.js";

/**
 * An app's backup policy. Ownership is not checked here: this service does not know app owners,
 * so the gateway asks the applications service (GetApp as the user) before calling.
 */
export async function getBackupPolicy(db: Kysely<BackupsDatabase>, appId: string): Promise<BackupPolicy> {
  if (!appId) throw new ValidationError("Invalid app id", [{ field: "app_id", message: "is required" }]);
  const policy = await findPolicy(db, appId);
  if (!policy) throw new NotFoundError("Backup policy not found");
  return policy;
}
