/** Key-management actions of SecretsAdminService. */
export type AdminAction = "rewrap" | "key-usage";

/** Operators only: tokens for "sre" come from scripts/service-token.ts, never from a platform service. */
const ADMIN_CALLERS: ReadonlySet<string> = new Set(["sre"]);

/**
 * Decides whether `caller` may run a key-management action (pure). No platform service gets
 * this: a compromised service must not be able to drive rotation or map which keys are in use.
 */
export function decideAdminAccess(caller: string, action: AdminAction): { allowed: boolean; reason: string } {
  const allowed = ADMIN_CALLERS.has(caller);
  return {
    allowed,
    reason: allowed ? `${caller} may ${action} (operator)` : `${caller} may not ${action}: operators only`,
  };
}
