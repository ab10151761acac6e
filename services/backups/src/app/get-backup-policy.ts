import { NotFoundError, ValidationError } from "@proximity/errors";
import { findPolicy } from "../db/backup-policy.repository.js";
import type { BackupPolicy } from "../domain/backup-policy.js";
import type { BackupsDeps, Caller } from "./deps.js";
import { learnAppOwner } from "./learn-app-owner.js";

/**
 * An app's backup policy, as `viewer` may see it. Ownership is checked here too (defence in depth;
 * the gateway checks GetApp first): owners come from the app events (app_owners). A user gets
 * NotFound for an app that is not theirs, deleted or unknown, exactly as for an app without a
 * policy; an admin sees any policy. An app whose events have not
 * arrived yet is looked up in the applications service first (learnAppOwner).
 */
export async function getBackupPolicy(
  deps: BackupsDeps,
  appId: string,
  caller: Caller,
): Promise<BackupPolicy> {
  if (!appId) throw new ValidationError("Invalid app id", [{ field: "app_id", message: "is required" }]);
  await learnAppOwner(deps, appId, caller);
  const policy = await findPolicy(deps.db, appId, caller.user);
  if (!policy) throw new NotFoundError("Backup policy not found");
  return policy;
}
