import type { z } from "zod";
import type { UserRow } from "../db/users.table.js";
import type { Snapshot } from "../domain/field-diff.js";
import type { hostJson } from "./schemas/host.schema.js";

/** A user's fields as the audit diffs them (the password hash never). */
export function userSnapshot(user: UserRow): Snapshot {
  return { username: user.username, is_admin: user.is_admin, is_active: user.is_active };
}

/** Host fields an admin sets (not status, figures or timestamps, which change by themselves). */
export function hostSnapshot(host: z.infer<typeof hostJson>): Snapshot {
  return {
    name: host.name,
    address: host.address,
    port: host.port,
    auth_mode: host.auth_mode,
    username: host.username,
    tls_fingerprint: host.tls_fingerprint,
    tls_ca_fingerprint: host.tls_ca_fingerprint,
    insecure_http: host.insecure_http,
    ssh_username: host.ssh_username,
    backup_storage: host.backup_storage,
    nodes: host.nodes.map((n) => ({
      name: n.name,
      ssh_host: n.ssh_host,
      ssh_port: n.ssh_port,
      ssh_host_key_fingerprint: n.ssh_host_key_fingerprint,
      trust_on_first_use: n.trust_on_first_use,
    })),
  };
}

/** Host body fields holding credentials: recorded as changed, by name, never with a value. */
const HOST_CREDENTIAL_FIELDS = ["api_secret", "ssh_password", "ssh_private_key"] as const;

/** The credential fields a host body sets. */
export function hostCredentialsSet(body: Readonly<Record<string, unknown>>): string[] {
  return HOST_CREDENTIAL_FIELDS.filter((field) => body[field] !== undefined && body[field] !== "");
}
