import { ServiceIdentities } from "@proximity/grpc";

/**
 * Every platform service may reach the RPCs: access is decided per secret by domain/policy.ts,
 * after the attempt is audited. Filtering callers at the transport would reject before the audit.
 * Operator tooling ("sre") stays out at the transport, as before: it is not a platform service.
 */
export const ANY_SERVICE: readonly string[] = ServiceIdentities.filter((identity) => identity !== "sre");

/**
 * Key-management RPCs let every identity through the transport so that a non-operator attempt
 * reaches domain/admin-policy.ts and is audited before it is refused (PERMISSION_DENIED).
 */
export const ANY_IDENTITY: readonly string[] = ServiceIdentities;
