import { type FieldError, ValidationError } from "@proximity/errors";
import type { hostsV1 } from "@proximity/proto";
import type { HostWithNodes } from "../db/host.repository.js";
import type { CredentialUpdate, HostSettings } from "./new-host.js";
import { missingCredentials, trustChanges } from "./trust-changes.js";
import { checkHostSettings, fieldChecker, type HostPolicy, protoAuthMode } from "./validate-host-settings.js";

/** A validated UpdateHost: the stored and the complete new settings, and the credential parts to replace. */
export interface HostUpdate {
  readonly before: HostSettings;
  readonly settings: HostSettings;
  readonly credentials: CredentialUpdate;
}

/**
 * Merges an UpdateHost request into the stored host (empty/zero = keep; name and auth mode cannot
 * change) and checks the result with the rules of CreateHost, so an update can never produce a
 * host that could not have been registered. Throws one ValidationError listing every bad field, or
 * one naming the credentials a change of where the host is reached or how it is verified needs
 * (see trust-changes.ts).
 */
export function validateUpdateHost(
  req: hostsV1.UpdateHostRequest,
  current: HostWithNodes,
  policy: HostPolicy,
): HostUpdate {
  const errors: FieldError[] = [];
  const settings = checkHostSettings(
    {
      name: current.name,
      address: req.address || current.address,
      port: req.port || current.port,
      authMode: protoAuthMode(current.auth_mode),
      username: req.username || current.username,
      // Giving one TLS verification mode drops the stored other one (both given: rejected).
      tlsFingerprint: req.tlsFingerprint || (req.tlsCaPem ? "" : (current.tls_fingerprint ?? "")),
      tlsCaPem: req.tlsCaPem || (req.tlsFingerprint ? "" : (current.tls_ca_pem ?? "")),
      insecureHttp: req.insecureHttp ?? current.insecure_http,
      sshUsername: req.sshUsername || current.ssh_username,
      backupStorage: req.backupStorage || current.backup_storage,
      nodes:
        req.nodes.length > 0
          ? req.nodes.map((n) => keepPinnedKey(n, current))
          : current.nodes.map((n) => ({
              name: n.name,
              sshHost: n.ssh_host,
              sshPort: n.ssh_port,
              sshHostKeyFingerprint: n.ssh_host_key_fingerprint,
              trustOnFirstUse: n.trust_on_first_use,
            })),
    },
    policy,
    fieldChecker(errors),
  );
  if (errors.length > 0 || !settings) throw new ValidationError("Invalid host", errors);
  const creds = req.credentials;
  // The SSH secret is one JSON document this service cannot read back, so the SSH parts given
  // replace it whole (a password alone drops a stored private key, and vice versa).
  const ssh = {
    ...(creds?.sshPassword ? { password: creds.sshPassword } : {}),
    ...(creds?.sshPrivateKey ? { privateKey: creds.sshPrivateKey } : {}),
  };
  const credentials: CredentialUpdate = {
    ...(creds?.apiSecret ? { apiSecret: creds.apiSecret } : {}),
    ...(Object.keys(ssh).length > 0 ? { ssh } : {}),
  };
  const before = storedSettings(current);
  const missing = missingCredentials(trustChanges(before, settings), credentials);
  if (missing.length > 0)
    throw new ValidationError(
      "Changing where the host is reached or how it is verified requires its credentials in the same request",
      missing,
    );
  return { before, settings, credentials };
}

/** The stored host as settings (the shape an update produces), to compare with. */
export function storedSettings(current: HostWithNodes): HostSettings {
  return {
    name: current.name,
    address: current.address,
    port: current.port,
    authMode: current.auth_mode,
    username: current.username,
    tlsFingerprint: current.tls_fingerprint,
    tlsCaPem: current.tls_ca_pem,
    insecureHttp: current.insecure_http,
    sshUsername: current.ssh_username,
    backupStorage: current.backup_storage,
    nodes: current.nodes.map((n) => ({
      name: n.name,
      sshHost: n.ssh_host,
      sshPort: n.ssh_port,
      sshHostKeyFingerprint: n.ssh_host_key_fingerprint,
      trustOnFirstUse: n.trust_on_first_use,
    })),
  };
}

/**
 * A node re-sent with an empty fingerprint and trust-on-first-use keeps the key already pinned for
 * it: re-sending the node list (as a client that read the host may do) must not re-open trust on
 * first use, or a changed key could be trusted. Replacing a key takes an explicit fingerprint.
 */
function keepPinnedKey(n: hostsV1.NodeEndpoint, current: HostWithNodes): hostsV1.NodeEndpoint {
  const pinned = current.nodes.find((c) => c.name === n.name)?.ssh_host_key_fingerprint ?? "";
  if (n.sshHostKeyFingerprint !== "" || pinned === "") return n;
  return { ...n, sshHostKeyFingerprint: pinned, trustOnFirstUse: false };
}
