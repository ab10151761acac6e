import { hostsV1 } from "@proximity/proto";
import type { HostWithNodes } from "../db/host.repository.js";
import type { NodeRow } from "../db/nodes.table.js";
import { caFingerprint } from "../domain/tls-ca.js";

/** The public view of a host: everything but credentials (which this service never has). */
export function toProtoHost(h: HostWithNodes): hostsV1.Host {
  return {
    id: h.id,
    name: h.name,
    address: h.address,
    port: h.port,
    authMode:
      h.auth_mode === "api_token"
        ? hostsV1.AuthMode.AUTH_MODE_API_TOKEN
        : hostsV1.AuthMode.AUTH_MODE_PASSWORD,
    username: h.username,
    tlsFingerprint: h.tls_fingerprint ?? "",
    // Only the CA's fingerprint: the PEM itself goes to the provisioner alone, keeping lists small.
    tlsCaFingerprint: h.tls_ca_pem ? (caFingerprint(h.tls_ca_pem) ?? "") : "",
    insecureHttp: h.insecure_http,
    status: h.status,
    nodes: h.nodes.map(toProtoNode),
    createdAt: h.created_at,
    updatedAt: h.updated_at,
    sshUsername: h.ssh_username,
    backupStorage: h.backup_storage,
    ...(h.last_checked_at ? { lastCheckedAt: h.last_checked_at } : {}),
    ...(h.last_check_error !== null ? { lastCheckError: h.last_check_error } : {}),
    ...(h.pve_version !== null ? { pveVersion: h.pve_version } : {}),
  };
}

export function toProtoNode(n: NodeRow): hostsV1.Node {
  return {
    hostId: n.host_id,
    name: n.name,
    status: n.status,
    sshHost: n.ssh_host,
    sshPort: n.ssh_port,
    sshHostKeyFingerprint: n.ssh_host_key_fingerprint,
    cpu: n.cpu,
    memBytes: n.mem_bytes,
    maxMemBytes: n.max_mem_bytes,
    updatedAt: n.updated_at,
    trustOnFirstUse: n.trust_on_first_use,
  };
}
