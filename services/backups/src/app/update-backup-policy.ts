import { NotFoundError, ValidationError } from "@proximity/errors";
import { savePolicy } from "../db/backup-policy.repository.js";
import { type BackupPolicy, nextRunOf, type PolicyInput, parsePolicyInput } from "../domain/backup-policy.js";
import type { BackupsDeps, Caller } from "./deps.js";
import { learnAppOwner } from "./learn-app-owner.js";

/**
 * Replaces an app's policy (PUT semantics: every field given, validated together, 400 naming each
 * bad field) and computes its next run from now (none while disabled). Only for a live app: its
 * owner or an admin; anyone else gets NotFound as for an unknown app (an app whose events have not
 * arrived yet is looked up in the applications service first). The app's row is locked
 * meanwhile so that an AppDeleted handled at the same time disables the policy after this write.
 */
export async function updateBackupPolicy(
  deps: BackupsDeps,
  appId: string,
  input: PolicyInput,
  caller: Caller,
  now?: Date,
): Promise<BackupPolicy> {
  if (!appId) throw new ValidationError("Invalid app id", [{ field: "app_id", message: "is required" }]);
  const settings = parsePolicyInput(input);
  await learnAppOwner(deps, appId, caller);
  const viewer = caller.user;
  const nextRunAt = nextRunOf(settings, now ?? new Date());
  return deps.db.transaction().execute(async (trx) => {
    const owner = await trx
      .selectFrom("app_owners")
      .select("owner_id")
      .where("app_id", "=", appId)
      .where("deleted_at", "is", null)
      .$if(!viewer.isAdmin, (qb) => qb.where("owner_id", "=", viewer.id))
      .forShare()
      .executeTakeFirst();
    if (!owner) throw new NotFoundError("Backup policy not found");
    return savePolicy(trx, appId, settings, nextRunAt);
  });
}
