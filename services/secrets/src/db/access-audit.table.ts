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
}
