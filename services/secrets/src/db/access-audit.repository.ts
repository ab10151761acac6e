import type { Kysely } from "kysely";
import type { AdminAction } from "../domain/admin-policy.js";
import type { SecretAction } from "../domain/policy.js";
import type { SecretsDatabase } from "./database.js";

export interface AccessAuditEntry {
  readonly caller: string;
  readonly action: SecretAction | AdminAction;
  readonly secretName: string;
  readonly allowed: boolean;
  readonly reason: string;
}

/** Appends one audit row, committed on its own so it survives a failing operation. */
export async function recordAccess(db: Kysely<SecretsDatabase>, e: AccessAuditEntry): Promise<void> {
  await db
    .insertInto("access_audit")
    .values({
      caller: e.caller,
      action: e.action,
      secret_name: e.secretName,
      allowed: e.allowed,
      reason: e.reason,
    })
    .execute();
}
