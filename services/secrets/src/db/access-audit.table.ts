import type { Generated } from "kysely";
import type { SecretAction } from "../domain/policy.js";

/** Every access attempt, allowed or denied. Never the value. */
export interface AccessAuditTable {
  id: Generated<number>;
  at: Generated<Date>;
  /** Calling service identity. */
  caller: string;
  action: SecretAction;
  secret_name: string;
  allowed: boolean;
  reason: string;
}
