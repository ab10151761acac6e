import type { FieldError } from "@proximity/errors";
import { hostsV1 } from "@proximity/proto";
import {
  isApiTokenId,
  isDnsLabel,
  isHostName,
  isHostnameOrIp,
  isPort,
  isProxmoxUser,
  isSha256Fingerprint,
  isSshFingerprint,
  isSshUser,
  isStorageId,
} from "./host-fields.js";
import type { AuthMode, HostSettings, NewNode } from "./new-host.js";
import { caFingerprint } from "./tls-ca.js";

const DEFAULT_API_PORT = 8006;
const DEFAULT_SSH_PORT = 22;
const DEFAULT_SSH_USER = "root";
/** Proxmox's default directory storage, which holds backups on a fresh install. */
const DEFAULT_BACKUP_STORAGE = "local";

/** Settings as a request carries them (zero values mean "default"). */
export interface HostSettingsInput {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly authMode: hostsV1.AuthMode;
  readonly username: string;
  readonly tlsFingerprint: string;
  /** PEM CA ("" = none). */
  readonly tlsCaPem: string;
  readonly insecureHttp: boolean;
  readonly sshUsername: string;
  readonly nodes: readonly hostsV1.NodeEndpoint[];
  /** PVE storage id for backups ("" = default). */
  readonly backupStorage: string;
}

/** What this deployment of the service allows (from its configuration). */
export interface HostPolicy {
  /**
   * Plain-HTTP API connections (simulators, a developer's machine): only when the platform runs in
   * development mode, since credentials would cross the network in clear.
   */
  readonly allowInsecureHttp: boolean;
}

/*
 * Field-error words the gateway uses too (its host.schema.ts, and @proximity/rules for node names
 * and storage ids, which this service cannot import): one rule, one message, whoever answers.
 */
const NODE_NAME_MESSAGE = "must be 1–63 letters, digits or hyphens, not starting or ending with a hyphen";
const STORAGE_ID_MESSAGE =
  "must be a Proxmox storage ID such as local: a lower-case letter, then lower-case letters, digits, '-', '_' or '.', at most 64 characters";

/** Adds a field error when a rule does not hold. */
export type Check = (ok: boolean, field: string, message: string) => void;

/** Collects field errors in `errors`; messages never echo the submitted values. */
export function fieldChecker(errors: FieldError[]): Check {
  return (ok, field, message) => {
    if (!ok) errors.push({ field, message });
  };
}

/**
 * Checks a host's settings (shared by CreateHost and UpdateHost, so both accept the same hosts)
 * and returns them normalised; undefined when a rule failed (the errors went to `check`).
 */
export function checkHostSettings(
  input: HostSettingsInput,
  policy: HostPolicy,
  check: Check,
): HostSettings | undefined {
  const port = input.port || DEFAULT_API_PORT;
  const sshUsername = input.sshUsername || DEFAULT_SSH_USER;
  const tlsFingerprint = input.tlsFingerprint ? input.tlsFingerprint.toUpperCase() : null;
  const authMode = authModeOf(input.authMode);
  const backupStorage = input.backupStorage || DEFAULT_BACKUP_STORAGE;
  let ok = true;
  const rule: Check = (holds, field, message) => {
    ok &&= holds;
    check(holds, field, message);
  };

  rule(
    isHostName(input.name),
    "name",
    "must be 1 to 63 characters: lower-case letters, digits, '-', '_' or '.', starting with a letter or digit",
  );
  rule(isHostnameOrIp(input.address), "address", "must be a host name or an IP address");
  rule(isPort(port), "port", "must be between 1 and 65535");
  rule(authMode !== undefined, "auth_mode", "must be one of: api_token, password");
  if (authMode === "api_token")
    rule(
      isApiTokenId(input.username),
      "username",
      "must be the API token's id: user@realm!tokenid, such as root@pam!proximity",
    );
  if (authMode === "password")
    rule(
      isProxmoxUser(input.username),
      "username",
      "must be a Proxmox user with its realm: user@realm, such as root@pam",
    );
  rule(
    tlsFingerprint === null || isSha256Fingerprint(tlsFingerprint),
    "tls_fingerprint",
    "must be the certificate's SHA-256 fingerprint: 32 pairs of hexadecimal digits separated by colons (AB:CD:…)",
  );
  const tlsCaPem = input.tlsCaPem.trim() === "" ? null : input.tlsCaPem;
  rule(
    tlsCaPem === null || caFingerprint(tlsCaPem) !== undefined,
    "tls_ca_pem",
    "must be a certificate in PEM format (-----BEGIN CERTIFICATE----- …)",
  );
  // One verification mode at a time: a pinned certificate ignores the CA anyway, so accepting both
  // would store a setting that silently does nothing.
  rule(
    tlsCaPem === null || tlsFingerprint === null,
    "tls_ca_pem",
    "cannot be combined with tls_fingerprint: pin the certificate or trust a CA, not both",
  );
  // A pin or a CA promises a verified host; over plain HTTP nothing is verified, so the two together
  // would show a pinned host that is in fact reached in clear.
  rule(
    !input.insecureHttp || (tlsCaPem === null && tlsFingerprint === null),
    "insecure_http",
    "cannot be combined with tls_fingerprint or tls_ca_pem",
  );
  rule(
    !input.insecureHttp || policy.allowInsecureHttp,
    "insecure_http",
    "plain HTTP is only allowed when the platform runs in development mode (PROXIMITY_MODE=development)",
  );
  rule(
    isSshUser(sshUsername),
    "ssh_username",
    "must be a Linux user name: a lower-case letter or '_', then up to 31 lower-case letters, digits, '_' or '-'",
  );
  rule(isStorageId(backupStorage), "backup_storage", STORAGE_ID_MESSAGE);
  const nodes = input.nodes.map((n, i) => checkNode(n, `nodes[${i}]`, rule));
  rule(nodes.length > 0, "nodes", "must list at least one node");
  rule(new Set(nodes.map((n) => n.name)).size === nodes.length, "nodes", "must not name a node twice");
  if (!ok || !authMode) return undefined;
  return {
    name: input.name,
    address: input.address,
    port,
    authMode,
    username: input.username,
    tlsFingerprint,
    tlsCaPem,
    insecureHttp: input.insecureHttp,
    sshUsername,
    nodes,
    backupStorage,
  };
}

function checkNode(n: hostsV1.NodeEndpoint, at: string, check: Check): NewNode {
  const sshPort = n.sshPort || DEFAULT_SSH_PORT;
  check(isDnsLabel(n.name), `${at}.name`, NODE_NAME_MESSAGE);
  check(isHostnameOrIp(n.sshHost), `${at}.ssh_host`, "must be a host name or an IP address");
  check(isPort(sshPort), `${at}.ssh_port`, "must be between 1 and 65535");
  // An empty fingerprint is accepted only with the admin's explicit trust-on-first-use consent;
  // with a fingerprint given the flag is moot (the key is already pinned) and is dropped.
  const pending = n.sshHostKeyFingerprint === "" && n.trustOnFirstUse;
  check(
    pending || isSshFingerprint(n.sshHostKeyFingerprint),
    `${at}.ssh_host_key_fingerprint`,
    "must be the SSH host key's fingerprint as OpenSSH prints it (SHA256: then 43 letters, digits, '+' or '/'), or empty together with trust_on_first_use",
  );
  return {
    name: n.name,
    sshHost: n.sshHost,
    sshPort,
    sshHostKeyFingerprint: n.sshHostKeyFingerprint,
    trustOnFirstUse: pending,
  };
}

function authModeOf(mode: hostsV1.AuthMode): AuthMode | undefined {
  if (mode === hostsV1.AuthMode.AUTH_MODE_API_TOKEN) return "api_token";
  if (mode === hostsV1.AuthMode.AUTH_MODE_PASSWORD) return "password";
  return undefined;
}

/** The proto enum of a stored auth mode. */
export function protoAuthMode(mode: AuthMode): hostsV1.AuthMode {
  return mode === "api_token" ? hostsV1.AuthMode.AUTH_MODE_API_TOKEN : hostsV1.AuthMode.AUTH_MODE_PASSWORD;
}
