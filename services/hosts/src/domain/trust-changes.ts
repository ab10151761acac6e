import type { FieldError } from "@proximity/errors";
import type { CredentialUpdate, HostSettings } from "./new-host.js";

/**
 * What an update changes about where a host's credentials are sent and how the far end is
 * verified. Each list names the changed fields (proto/REST names); empty = nothing of that kind.
 */
export interface TrustChanges {
  /** The API secret goes to the address/port, verified by the TLS settings. */
  readonly api: readonly string[];
  /** The SSH credentials go to each node's ssh_host/ssh_port, verified by its host key. */
  readonly ssh: readonly string[];
}

/**
 * Compares a host's stored settings with the settings an update would store. A node that is new
 * (by name) is a new SSH target; a node removed is not a change of trust.
 */
export function trustChanges(before: HostSettings, after: HostSettings): TrustChanges {
  const api: string[] = [];
  if (after.address !== before.address) api.push("address");
  if (after.port !== before.port) api.push("port");
  if (after.tlsFingerprint !== before.tlsFingerprint) api.push("tls_fingerprint");
  if (after.tlsCaPem !== before.tlsCaPem) api.push("tls_ca_pem");
  if (after.insecureHttp !== before.insecureHttp) api.push("insecure_http");
  const ssh: string[] = [];
  after.nodes.forEach((node, i) => {
    const was = before.nodes.find((n) => n.name === node.name);
    const at = `nodes[${i}]`;
    if (!was) ssh.push(`${at} (a new node)`);
    else {
      if (node.sshHost !== was.sshHost) ssh.push(`${at}.ssh_host`);
      if (node.sshPort !== was.sshPort) ssh.push(`${at}.ssh_port`);
      if (node.sshHostKeyFingerprint !== was.sshHostKeyFingerprint)
        ssh.push(`${at}.ssh_host_key_fingerprint`);
    }
  });
  return { api, ssh };
}

/**
 * The credentials a trust change needs and the update does not give, as field errors. Re-pointing
 * a host (or re-trusting its far end) without them would send the stored secrets, which nobody can
 * read back, to a server the stored secrets were never meant for: whoever changes where they go
 * must prove they hold them.
 */
export function missingCredentials(changes: TrustChanges, given: CredentialUpdate): FieldError[] {
  const missing: FieldError[] = [];
  if (changes.api.length > 0 && given.apiSecret === undefined)
    missing.push({
      field: "api_secret",
      message: `must be given again to change ${changes.api.join(", ")}`,
    });
  if (changes.ssh.length > 0 && given.ssh === undefined)
    missing.push({
      field: "ssh_password",
      message: `ssh_password or ssh_private_key must be given again to change ${changes.ssh.join(", ")}`,
    });
  return missing;
}
