import { PermissionDeniedError } from "@proximity/errors";
import type { Kysely } from "kysely";
import { type AccessAuditEntry, recordAccess } from "../db/access-audit.repository.js";
import type { SecretsDatabase } from "../db/database.js";
import type { AccessContext } from "../domain/access-context.js";
import { decideAccess, type SecretAction } from "../domain/policy.js";

type Attempt = AccessContext & { action: SecretAction; name: string };

/**
 * Applies the access policy and audits the attempt, allowed or not, before any secret is
 * touched, with the call's trace and operation ids. The audit row commits on its own: a denied or
 * failing request still leaves its trace.
 */
export async function authorizeAccess(db: Kysely<SecretsDatabase>, attempt: Attempt): Promise<void> {
  await recordAccess(db, await authorizeAuditingLater(db, attempt));
}

/**
 * Applies the access policy; a denied attempt is audited and refused here. An allowed one gets its
 * audit row back, for the caller to record with the access itself (or on its own when the access
 * fails): one write fewer than auditing first.
 */
export async function authorizeAuditingLater(
  db: Kysely<SecretsDatabase>,
  attempt: Attempt,
): Promise<AccessAuditEntry> {
  const decision = decideAccess(attempt.caller, attempt.action, attempt.name);
  const audit: AccessAuditEntry = { ...attempt, secretName: attempt.name, ...decision };
  if (!decision.allowed) {
    await recordAccess(db, audit);
    throw new PermissionDeniedError(`Service ${attempt.caller} may not ${attempt.action} this secret`);
  }
  return audit;
}
