import { hostsV1 } from "@proximity/proto";
import { isNodeName, NODE_NAME_FIELD_MESSAGE } from "@proximity/rules";
import { z } from "zod";
import { emptyToNull, isoOrNull, storageIdField } from "./common.schema.js";

const AUTH_MODES = {
  api_token: hostsV1.AuthMode.AUTH_MODE_API_TOKEN,
  password: hostsV1.AuthMode.AUTH_MODE_PASSWORD,
};
type AuthModeName = keyof typeof AUTH_MODES;

/*
 * Field-error words of the host rules, the same as the hosts service's (validate-host-settings.ts),
 * which checks them again: whichever answers, the admin reads one message per rule.
 */
const HOST_NAME_MESSAGE =
  "must be 1 to 63 characters: lower-case letters, digits, '-', '_' or '.', starting with a letter or digit";
const TLS_FINGERPRINT_MESSAGE =
  "must be the certificate's SHA-256 fingerprint: 32 pairs of hexadecimal digits separated by colons (AB:CD:…)";
const SSH_HOST_KEY_FINGERPRINT_MESSAGE =
  "must be the SSH host key's fingerprint as OpenSSH prints it (SHA256: then 43 letters, digits, '+' or '/'), or empty together with trust_on_first_use";
const NODES_MESSAGE = "must list at least one node";

const nodeEndpointBody = z
  .object({
    name: z.string().refine(isNodeName, NODE_NAME_FIELD_MESSAGE),
    ssh_host: z.string().min(1).max(253),
    ssh_port: z.number().int().min(1).max(65535).default(22),
    // Empty only together with trust_on_first_use (the hosts service enforces the pairing).
    ssh_host_key_fingerprint: z
      .string()
      .regex(/^(SHA256:[A-Za-z0-9+/]{43}=?)?$/, SSH_HOST_KEY_FINGERPRINT_MESSAGE)
      .default(""),
    /** Explicit admin consent to pin the first SSH host key the node presents (next host check). */
    trust_on_first_use: z.boolean().default(false),
  })
  .strict();

/** PEM CA for the API's TLS; exclusive with tls_fingerprint. Parsed by the hosts service. */
const tlsCaPem = z.string().min(1).max(65536).optional();

function toNodeEndpoint(n: z.infer<typeof nodeEndpointBody>): hostsV1.NodeEndpoint {
  return {
    name: n.name,
    sshHost: n.ssh_host,
    sshPort: n.ssh_port,
    sshHostKeyFingerprint: n.ssh_host_key_fingerprint,
    trustOnFirstUse: n.trust_on_first_use,
  };
}

/**
 * Credentials are accepted here and passed on once; no response ever carries them. Unknown fields
 * are refused: a misspelt `tls_fingerprint` would otherwise register the host without its pin.
 */
export const createHostBody = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9\-_.]{0,62}$/, HOST_NAME_MESSAGE),
    address: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535).default(8006),
    auth_mode: z.enum(["api_token", "password"]),
    username: z.string().min(1).max(200),
    api_secret: z.string().min(1).max(4096),
    tls_fingerprint: z
      .string()
      .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, TLS_FINGERPRINT_MESSAGE)
      .optional(),
    tls_ca_pem: tlsCaPem,
    insecure_http: z.boolean().default(false),
    ssh_username: z.string().min(1).max(64).optional(),
    ssh_password: z.string().min(1).max(4096).optional(),
    ssh_private_key: z.string().min(1).max(16384).optional(),
    nodes: z.array(nodeEndpointBody).min(1, NODES_MESSAGE).max(64),
    /** Proxmox storage (with `backup` content) the host's app backups go to; default `local`. */
    backup_storage: storageIdField.optional(),
  })
  .strict();

export function toCreateHostRequest(body: z.infer<typeof createHostBody>): hostsV1.CreateHostRequest {
  return {
    name: body.name,
    address: body.address,
    port: body.port,
    authMode: AUTH_MODES[body.auth_mode],
    username: body.username,
    tlsFingerprint: body.tls_fingerprint ?? "",
    insecureHttp: body.insecure_http,
    sshUsername: body.ssh_username ?? "",
    tlsCaPem: body.tls_ca_pem ?? "",
    nodes: body.nodes.map(toNodeEndpoint),
    backupStorage: body.backup_storage ?? "",
    credentials: {
      apiSecret: body.api_secret,
      sshPassword: body.ssh_password ?? "",
      sshPrivateKey: body.ssh_private_key ?? "",
    },
  };
}

/**
 * PUT body: every field optional (absent = keep). Name and auth mode cannot change, so they are
 * rejected rather than silently ignored. Credentials given replace the stored ones (write-only);
 * SSH credentials replace the SSH secret whole.
 */
export const updateHostBody = z
  .object({
    address: z.string().min(1).max(253).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    username: z.string().min(1).max(200).optional(),
    api_secret: z.string().min(1).max(4096).optional(),
    tls_fingerprint: createHostBody.shape.tls_fingerprint,
    tls_ca_pem: tlsCaPem,
    insecure_http: z.boolean().optional(),
    ssh_username: z.string().min(1).max(64).optional(),
    ssh_password: z.string().min(1).max(4096).optional(),
    ssh_private_key: z.string().min(1).max(16384).optional(),
    nodes: z.array(nodeEndpointBody).min(1, NODES_MESSAGE).max(64).optional(),
    backup_storage: storageIdField.optional(),
  })
  .strict();

export function toUpdateHostRequest(
  id: string,
  body: z.infer<typeof updateHostBody>,
): hostsV1.UpdateHostRequest {
  const credentials = {
    apiSecret: body.api_secret ?? "",
    sshPassword: body.ssh_password ?? "",
    sshPrivateKey: body.ssh_private_key ?? "",
  };
  const anyCredential = Object.values(credentials).some((v) => v !== "");
  return {
    id,
    address: body.address ?? "",
    port: body.port ?? 0,
    username: body.username ?? "",
    tlsFingerprint: body.tls_fingerprint ?? "",
    ...(body.insecure_http !== undefined ? { insecureHttp: body.insecure_http } : {}),
    sshUsername: body.ssh_username ?? "",
    tlsCaPem: body.tls_ca_pem ?? "",
    nodes: (body.nodes ?? []).map(toNodeEndpoint),
    backupStorage: body.backup_storage ?? "",
    credentials: anyCredential ? credentials : undefined,
  };
}

/** 202 answer of test/sync-nodes: the result shows on GET host once the provisioner reported. */
export const hostCheckJson = z.object({ check_id: z.string() });

export const nodesQuery = z.object({ host_id: z.uuid().optional() });

export const nodeJson = z.object({
  host_id: z.string(),
  name: z.string(),
  status: z.string(),
  ssh_host: z.string(),
  ssh_port: z.number().int(),
  /** Empty while the node awaits trust on first use. */
  ssh_host_key_fingerprint: z.string(),
  trust_on_first_use: z.boolean(),
  cpu: z.number(),
  mem_bytes: z.number(),
  max_mem_bytes: z.number(),
  updated_at: z.string().nullable(),
});

/** A host as shown: the response schema has no credential field, so none can be serialized. */
export const hostJson = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  port: z.number().int(),
  auth_mode: z.enum(["api_token", "password", "unspecified"]),
  username: z.string(),
  tls_fingerprint: z.string().nullable(),
  /** SHA-256 fingerprint of the configured CA certificate (the PEM is never echoed back). */
  tls_ca_fingerprint: z.string().nullable(),
  insecure_http: z.boolean(),
  ssh_username: z.string().nullable(),
  status: z.string(),
  nodes: z.array(nodeJson),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
  /** Result of the last connection check (POST …/test, …/sync-nodes, or the periodic one). */
  last_checked_at: z.string().nullable(),
  last_check_error: z.string().nullable(),
  pve_version: z.string().nullable(),
  /** Proxmox storage the host's app backups go to (unless a backup names another). */
  backup_storage: z.string().nullable(),
});

export function toNodeJson(node: hostsV1.Node): z.infer<typeof nodeJson> {
  return {
    host_id: node.hostId,
    name: node.name,
    status: node.status,
    ssh_host: node.sshHost,
    ssh_port: node.sshPort,
    ssh_host_key_fingerprint: node.sshHostKeyFingerprint,
    trust_on_first_use: node.trustOnFirstUse,
    cpu: node.cpu,
    mem_bytes: node.memBytes,
    max_mem_bytes: node.maxMemBytes,
    updated_at: isoOrNull(node.updatedAt),
  };
}

function authModeName(mode: hostsV1.AuthMode): AuthModeName | "unspecified" {
  const found = Object.entries(AUTH_MODES).find(([, value]) => value === mode);
  return found ? (found[0] as AuthModeName) : "unspecified";
}

export function toHostJson(host: hostsV1.Host): z.infer<typeof hostJson> {
  return {
    id: host.id,
    name: host.name,
    address: host.address,
    port: host.port,
    auth_mode: authModeName(host.authMode),
    username: host.username,
    tls_fingerprint: emptyToNull(host.tlsFingerprint),
    tls_ca_fingerprint: emptyToNull(host.tlsCaFingerprint),
    insecure_http: host.insecureHttp,
    ssh_username: emptyToNull(host.sshUsername),
    status: host.status,
    nodes: host.nodes.map(toNodeJson),
    created_at: isoOrNull(host.createdAt),
    updated_at: isoOrNull(host.updatedAt),
    last_checked_at: isoOrNull(host.lastCheckedAt),
    last_check_error: host.lastCheckError ?? null,
    pve_version: host.pveVersion ?? null,
    backup_storage: emptyToNull(host.backupStorage),
  };
}
