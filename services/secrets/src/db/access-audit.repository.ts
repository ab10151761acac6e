import type { Kysely, Transaction } from "kysely";
import type { AdminAction } from "../domain/admin-policy.js";
import type { SecretAction } from "../domain/policy.js";
import type { SecretsDatabase } from "./database.js";

export interface AccessAuditEntry {
  readonly caller: string;
  readonly action: SecretAction | AdminAction;
  readonly secretName: string;
  readonly allowed: boolean;
  readonly reason: string;
  /** W3C trace id of the call ("" when none). */
  readonly traceId: string;
  /** The operation the caller said the access is part of, or null. */
  readonly operationId: string | null;
}

/**
 * Appends one audit row: on its own, or in the transaction of the access it audits. The trail is
 * append-only: nothing here updates or deletes it, and the table refuses both (migration 0003).
 */
export async function recordAccess(
  db: Kysely<SecretsDatabase> | Transaction<SecretsDatabase>,
  e: AccessAuditEntry,
): Promise<void> {
  await db
    .insertInto("access_audit")
    .values({
      caller: e.caller,
      action: e.action,
      secret_name: e.secretName,
      allowed: e.allowed,
      reason: e.reason,
      trace_id: e.traceId,
      operation_id: e.operationId,
    })
    .execute();
}
