/** What a caller wants to do with a secret. */
export type SecretAction = "put" | "get" | "delete";

/** The outcome of a policy check, with the reason recorded in the access audit. */
export interface AccessDecision {
  readonly allowed: boolean;
  readonly reason: string;
}

interface PolicyRule {
  /** The names this rule covers, as shown in audit reasons (e.g. `proxmox/hosts/*`). */
  readonly label: string;
  /** Whether the rule covers `name`. */
  readonly matches: (name: string) => boolean;
  /** Actions each calling service may take under the rule; any other caller gets nothing. */
  readonly grants: Readonly<Record<string, readonly SecretAction[]>>;
}

/** Every name starting with `prefix`. */
const prefix = (p: string) => ({ label: `${p}*`, matches: (name: string) => name.startsWith(p) });

/**
 * An app's secret environment values: exactly `apps/<id>/env/<NAME>`, one segment each (no `/`,
 * so no name can reach another app's or the root password by a path trick).
 */
const APP_ENV = /^apps\/[^/]+\/env\/[^/]+$/;

/**
 * Access per calling service identity, first matching rule wins (so the narrower app environment
 * rule comes before the `apps/` one). The hosts service writes Proxmox credentials but can never
 * read them back (they pass through it once); only the provisioner, which talks to Proxmox, reads
 * them. The applications service stores an app's secret environment values at deploy and deletes
 * them, but never reads them: only the provisioner does, when it writes the container's .env (and
 * copies them for a clone). Everything not granted here is denied.
 */
const RULES: readonly PolicyRule[] = [
  { ...prefix("proxmox/hosts/"), grants: { hosts: ["put", "delete"], provisioner: ["get"] } },
  {
    label: "apps/*/env/*",
    matches: (name) => APP_ENV.test(name),
    grants: { applications: ["put", "delete"], provisioner: ["get", "put", "delete"] },
  },
  { ...prefix("apps/"), grants: { provisioner: ["put", "get", "delete"] } },
];

/** Decides whether `caller` may take `action` on secret `name` (pure; the first matching rule wins). */
export function decideAccess(caller: string, action: SecretAction, name: string): AccessDecision {
  const rule = RULES.find((r) => r.matches(name));
  if (!rule) return { allowed: false, reason: "no policy covers this name" };
  const allowed = rule.grants[caller]?.includes(action) ?? false;
  return {
    allowed,
    reason: allowed ? `${caller} may ${action} ${rule.label}` : `${caller} may not ${action} ${rule.label}`,
  };
}
