import { NotFoundError, ValidationError } from "@proximity/errors";
import type { Kysely } from "kysely";
import { findPolicy } from "../db/backup-policy.repository.js";
import type { BackupsDatabase } from "../db/database.js";
import type { BackupPolicy } from "../domain/backup-policy.js";
import type { Viewer } from "../domain/viewer.js";

/**
 * An app's backup policy, as `viewer` may see it. Ownership is checked here too (defence in depth;
 * the gateway checks GetApp first): owners come from the app events (app_owners). A user gets
 * NotFound for an app that is not theirs, deleted or unknown, exactly as for an app without a
 * policy; an admin sees any policy.
 */
export async function getBackupPolicy(
  db: Kysely<BackupsDatabase>,
  appId: string,
  viewer: Viewer,
): Promise<BackupPolicy> {
  if (!appId) throw new ValidationError("Invalid app id", [{ field: "app_id", message: "is required" }]);
  const policy = await findPolicy(db, appId, viewer);
  if (!policy) throw new NotFoundError("Backup policy not found");
  return policy;
}
