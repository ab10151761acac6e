import { PermissionDeniedError } from "@proximity/errors";
import type { Kysely } from "kysely";
import { recordAccess } from "../db/access-audit.repository.js";
import type { SecretsDatabase } from "../db/database.js";
import type { AccessContext } from "../domain/access-context.js";
import { type AdminAction, decideAdminAccess } from "../domain/admin-policy.js";

/** Audit name of key-management calls: they concern every secret, none in particular. */
export const ALL_SECRETS = "*";

/** Like authorizeAccess, for key management: audited (allowed or not) before anything runs. */
export async function authorizeAdmin(
  db: Kysely<SecretsDatabase>,
  attempt: AccessContext & { action: AdminAction },
): Promise<void> {
  const decision = decideAdminAccess(attempt.caller, attempt.action);
  await recordAccess(db, { ...attempt, secretName: ALL_SECRETS, ...decision });
  if (!decision.allowed)
    throw new PermissionDeniedError(`Service ${attempt.caller} may not ${attempt.action}`);
}
