/**
 * Every service identity may reach the RPCs: access is decided per secret by domain/policy.ts,
 * after the attempt is audited. Filtering callers at the transport would reject before the audit.
 */
export const ANY_SERVICE: readonly string[] = [
  "api-gateway",
  "applications",
  "hosts",
  "backups",
  "secrets",
  "provisioner",
];
