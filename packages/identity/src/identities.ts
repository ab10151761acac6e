/** Every service identity of the platform ("sre" is the identity of operator tooling, never of a container). */
export const ServiceIdentities = [
  "api-gateway",
  "applications",
  "hosts",
  "backups",
  "secrets",
  "provisioner",
  "sre",
] as const;

export type ServiceIdentity = (typeof ServiceIdentities)[number];

/** The URI SAN of a service certificate: the peer identity mTLS checks. */
export function identityUri(name: string): string {
  return `spiffe://proximity/${name}`;
}
