import { type FieldError, ValidationError } from "@proximity/errors";
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
} from "./host-fields.js";
import type { AuthMode, NewHost, NewNode } from "./new-host.js";

const DEFAULT_API_PORT = 8006;
const DEFAULT_SSH_PORT = 22;
const DEFAULT_SSH_USER = "root";

/**
 * Checks a CreateHost request and returns the normalised host, or throws one ValidationError
 * listing every bad field (proto field names). Messages never echo the submitted values.
 */
export function validateCreateHost(req: hostsV1.CreateHostRequest): NewHost {
  const errors: FieldError[] = [];
  const check = (ok: boolean, field: string, message: string) => {
    if (!ok) errors.push({ field, message });
  };
  const port = req.port || DEFAULT_API_PORT;
  const sshUsername = req.sshUsername || DEFAULT_SSH_USER;
  const tlsFingerprint = req.tlsFingerprint ? req.tlsFingerprint.toUpperCase() : null;
  const authMode = authModeOf(req.authMode);

  check(
    isHostName(req.name),
    "name",
    "1 to 63 characters of a-z, 0-9, '-', '_', '.', starting with a letter or digit",
  );
  check(isHostnameOrIp(req.address), "address", "must be a host name or an IP address");
  check(isPort(port), "port", "must be between 1 and 65535");
  check(authMode !== undefined, "auth_mode", "must be AUTH_MODE_API_TOKEN or AUTH_MODE_PASSWORD");
  if (authMode === "api_token")
    check(isApiTokenId(req.username), "username", "must be user@realm!tokenid for API tokens");
  if (authMode === "password")
    check(isProxmoxUser(req.username), "username", "must be user@realm for password login");
  check(
    tlsFingerprint === null || isSha256Fingerprint(tlsFingerprint),
    "tls_fingerprint",
    "must be a SHA-256 fingerprint AA:BB:... (32 bytes)",
  );
  check(isSshUser(sshUsername), "ssh_username", "must be a login name");
  const nodes = req.nodes.map((n, i) => validateNode(n, `nodes[${i}]`, check));
  check(nodes.length > 0, "nodes", "at least one node is required");
  check(new Set(nodes.map((n) => n.name)).size === nodes.length, "nodes", "node names must be unique");
  const creds = req.credentials;
  check(Boolean(creds?.apiSecret), "credentials.api_secret", "is required");
  check(
    Boolean(creds?.sshPassword || creds?.sshPrivateKey),
    "credentials",
    "ssh_password or ssh_private_key is required",
  );
  if (errors.length > 0 || !authMode || !creds) throw new ValidationError("Invalid host", errors);

  return {
    name: req.name,
    address: req.address,
    port,
    authMode,
    username: req.username,
    tlsFingerprint,
    insecureHttp: req.insecureHttp,
    sshUsername,
    nodes,
    credentials: {
      apiSecret: creds.apiSecret,
      ssh: {
        ...(creds.sshPassword ? { password: creds.sshPassword } : {}),
        ...(creds.sshPrivateKey ? { privateKey: creds.sshPrivateKey } : {}),
      },
    },
  };
}

function validateNode(
  n: hostsV1.NodeEndpoint,
  at: string,
  check: (ok: boolean, field: string, message: string) => void,
): NewNode {
  const sshPort = n.sshPort || DEFAULT_SSH_PORT;
  check(isDnsLabel(n.name), `${at}.name`, "must be a DNS label");
  check(isHostnameOrIp(n.sshHost), `${at}.ssh_host`, "must be a host name or an IP address");
  check(isPort(sshPort), `${at}.ssh_port`, "must be between 1 and 65535");
  check(
    isSshFingerprint(n.sshHostKeyFingerprint),
    `${at}.ssh_host_key_fingerprint`,
    "must be SHA256:<base64> (OpenSSH)",
  );
  return { name: n.name, sshHost: n.sshHost, sshPort, sshHostKeyFingerprint: n.sshHostKeyFingerprint };
}

function authModeOf(mode: hostsV1.AuthMode): AuthMode | undefined {
  if (mode === hostsV1.AuthMode.AUTH_MODE_API_TOKEN) return "api_token";
  if (mode === hostsV1.AuthMode.AUTH_MODE_PASSWORD) return "password";
  return undefined;
}
