import { PermissionDeniedError } from "@proximity/errors";
import type { Kysely } from "kysely";
import { recordAccess } from "../db/access-audit.repository.js";
import type { SecretsDatabase } from "../db/database.js";
import type { AccessContext } from "../domain/access-context.js";
import { decideAccess, type SecretAction } from "../domain/policy.js";

/**
 * Applies the access policy and audits the attempt, allowed or not, before any secret is
 * touched, with the call's trace and operation ids. The audit row commits on its own: a denied or
 * failing request still leaves its trace.
 */
export async function authorizeAccess(
  db: Kysely<SecretsDatabase>,
  attempt: AccessContext & { action: SecretAction; name: string },
): Promise<void> {
  const decision = decideAccess(attempt.caller, attempt.action, attempt.name);
  await recordAccess(db, { ...attempt, secretName: attempt.name, ...decision });
  if (!decision.allowed)
    throw new PermissionDeniedError(`Service ${attempt.caller} may not ${attempt.action} this secret`);
}
