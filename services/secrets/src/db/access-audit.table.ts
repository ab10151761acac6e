import type { Generated } from "kysely";
import type { AdminAction } from "../domain/admin-policy.js";
import type { SecretAction } from "../domain/policy.js";

/** Every access attempt, allowed or denied. Never the value. */
export interface AccessAuditTable {
  id: Generated<number>;
  at: Generated<Date>;
  /** Calling service identity. */
  caller: string;
  action: SecretAction | AdminAction;
  /** The secret, or "*" for key-management calls that concern every secret. */
  secret_name: string;
  allowed: boolean;
  reason: string;
  /** W3C trace id of the call ("" when the caller sent none). */
  trace_id: Generated<string>;
  /** The operation (UUID) the caller said the access is part of, or null. */
  operation_id: string | null;
}
