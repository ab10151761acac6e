/** What a caller wants to do with a secret. */
export type SecretAction = "put" | "get" | "delete";

/** The outcome of a policy check, with the reason recorded in the access audit. */
export interface AccessDecision {
  readonly allowed: boolean;
  readonly reason: string;
}

interface PolicyRule {
  /** Secret names this rule covers. */
  readonly prefix: string;
  /** Actions each calling service may take under the prefix; any other caller gets nothing. */
  readonly grants: Readonly<Record<string, readonly SecretAction[]>>;
}

/**
 * Access per calling service identity. The hosts service writes Proxmox credentials but can
 * never read them back (they pass through it once); only the provisioner, which talks to
 * Proxmox, reads them. Everything not granted here is denied.
 */
const RULES: readonly PolicyRule[] = [
  { prefix: "proxmox/hosts/", grants: { hosts: ["put", "delete"], provisioner: ["get"] } },
  { prefix: "apps/", grants: { provisioner: ["put", "get", "delete"] } },
];

/** Decides whether `caller` may take `action` on secret `name` (pure; the first matching prefix wins). */
export function decideAccess(caller: string, action: SecretAction, name: string): AccessDecision {
  const rule = RULES.find((r) => name.startsWith(r.prefix));
  if (!rule) return { allowed: false, reason: "no policy covers this name" };
  const allowed = rule.grants[caller]?.includes(action) ?? false;
  return {
    allowed,
    reason: allowed
      ? `${caller} may ${action} ${rule.prefix}*`
      : `${caller} may not ${action} ${rule.prefix}*`,
  };
}
