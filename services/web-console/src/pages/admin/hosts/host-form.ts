import { ApiError, type FieldError } from "../../../api/errors";
import type { BodyOf, Host } from "../../../api/types";

/** The host form's state, its request bodies and how API field names map onto its fields (pure). */

export type CreateHostBody = BodyOf<"/api/proxmox/hosts", "post">;
export type UpdateHostBody = BodyOf<"/api/proxmox/hosts/{id}", "put">;
export type AuthMode = CreateHostBody["auth_mode"];
type NodeBody = CreateHostBody["nodes"][number];

/** How the API's TLS certificate is verified: exactly one of these (the API refuses a pin and a CA together). */
export type TlsMode = "pin" | "ca" | "system" | "insecure";

export interface NodeValues {
  readonly name: string;
  readonly sshHost: string;
  readonly sshPort: string;
  readonly hostKey: string;
  readonly trustOnFirstUse: boolean;
}

export interface HostFormValues {
  readonly name: string;
  readonly address: string;
  readonly port: string;
  readonly authMode: AuthMode;
  readonly username: string;
  /** Write-only: always blank when the form opens. */
  readonly apiSecret: string;
  readonly tlsMode: TlsMode;
  readonly tlsFingerprint: string;
  readonly tlsCaPem: string;
  readonly sshUsername: string;
  /** Write-only: always blank when the form opens. */
  readonly sshPassword: string;
  /** Write-only: always blank when the form opens. */
  readonly sshPrivateKey: string;
  readonly nodes: readonly NodeValues[];
  readonly backupStorage: string;
}

export function emptyNode(): NodeValues {
  return { name: "", sshHost: "", sshPort: "22", hostKey: "", trustOnFirstUse: false };
}

export function newHostValues(): HostFormValues {
  return {
    name: "",
    address: "",
    port: "8006",
    authMode: "api_token",
    username: "",
    apiSecret: "",
    tlsMode: "pin",
    tlsFingerprint: "",
    tlsCaPem: "",
    sshUsername: "root",
    sshPassword: "",
    sshPrivateKey: "",
    nodes: [emptyNode()],
    backupStorage: "",
  };
}

export function tlsModeOf(host: Host): TlsMode {
  if (host.tls_fingerprint) return "pin";
  if (host.tls_ca_fingerprint) return "ca";
  if (host.insecure_http) return "insecure";
  return "system";
}

/** A stored host as form values: its settings filled in, its credentials never (they are write-only). */
export function valuesFromHost(host: Host): HostFormValues {
  return {
    name: host.name,
    address: host.address,
    port: String(host.port),
    authMode: host.auth_mode === "password" ? "password" : "api_token",
    username: host.username,
    apiSecret: "",
    tlsMode: tlsModeOf(host),
    tlsFingerprint: host.tls_fingerprint ?? "",
    tlsCaPem: "",
    sshUsername: host.ssh_username ?? "",
    sshPassword: "",
    sshPrivateKey: "",
    nodes: host.nodes.map((node) => ({
      name: node.name,
      sshHost: node.ssh_host,
      sshPort: String(node.ssh_port),
      hostKey: node.ssh_host_key_fingerprint,
      trustOnFirstUse: node.trust_on_first_use,
    })),
    backupStorage: host.backup_storage ?? "",
  };
}

/** A number field's value; an unparsable one is sent as is (NaN becomes null) so the API names the field. */
function numberOf(text: string): number {
  return Number(text.trim());
}

function toNodeBody(node: NodeValues): NodeBody {
  const hostKey = node.hostKey.trim();
  return {
    name: node.name.trim(),
    ssh_host: node.sshHost.trim(),
    ...(node.sshPort.trim() ? { ssh_port: numberOf(node.sshPort) } : {}),
    ...(hostKey ? { ssh_host_key_fingerprint: hostKey } : {}),
    // Consent to trust on first use only means something while no key is pinned.
    trust_on_first_use: !hostKey && node.trustOnFirstUse,
  };
}

/** Optional text fields are left out when blank: the API then applies its default. */
function optional<Key extends string>(key: Key, value: string): Partial<Record<Key, string>> {
  const trimmed = value.trim();
  return trimmed ? ({ [key]: trimmed } as Record<Key, string>) : {};
}

export function toCreateBody(values: HostFormValues): CreateHostBody {
  return {
    name: values.name.trim(),
    address: values.address.trim(),
    ...(values.port.trim() ? { port: numberOf(values.port) } : {}),
    auth_mode: values.authMode,
    username: values.username.trim(),
    api_secret: values.apiSecret,
    ...(values.tlsMode === "pin" ? optional("tls_fingerprint", values.tlsFingerprint) : {}),
    ...(values.tlsMode === "ca" ? optional("tls_ca_pem", values.tlsCaPem) : {}),
    ...(values.tlsMode === "insecure" ? { insecure_http: true } : {}),
    ...optional("ssh_username", values.sshUsername),
    ...(values.sshPassword ? { ssh_password: values.sshPassword } : {}),
    ...(values.sshPrivateKey.trim() ? { ssh_private_key: values.sshPrivateKey } : {}),
    nodes: values.nodes.map(toNodeBody),
    ...optional("backup_storage", values.backupStorage),
  };
}

/**
 * Only what changed: a PUT keeps every field it leaves out, and a setting sent unchanged could still
 * count as a change of where the credentials go (the API would then ask for them again).
 */
export function toUpdateBody(values: HostFormValues, host: Host): UpdateHostBody {
  const stored = valuesFromHost(host);
  const changed = (key: "address" | "port" | "username" | "sshUsername" | "backupStorage") =>
    values[key].trim() !== "" && values[key].trim() !== stored[key];
  const pinChanged =
    values.tlsMode === "pin" &&
    values.tlsFingerprint.trim() !== "" &&
    (stored.tlsMode !== "pin" ||
      values.tlsFingerprint.trim().toUpperCase() !== stored.tlsFingerprint.toUpperCase());
  const wantsInsecure = values.tlsMode === "insecure";
  const nodes = values.nodes.map(toNodeBody);
  const nodesChanged = JSON.stringify(nodes) !== JSON.stringify(stored.nodes.map(toNodeBody));
  return {
    ...(changed("address") ? { address: values.address.trim() } : {}),
    ...(changed("port") ? { port: numberOf(values.port) } : {}),
    ...(changed("username") ? { username: values.username.trim() } : {}),
    ...(values.apiSecret ? { api_secret: values.apiSecret } : {}),
    ...(pinChanged ? { tls_fingerprint: values.tlsFingerprint.trim() } : {}),
    ...(values.tlsMode === "ca" && values.tlsCaPem.trim() ? { tls_ca_pem: values.tlsCaPem } : {}),
    ...(wantsInsecure !== host.insecure_http ? { insecure_http: wantsInsecure } : {}),
    ...(changed("sshUsername") ? { ssh_username: values.sshUsername.trim() } : {}),
    ...(values.sshPassword ? { ssh_password: values.sshPassword } : {}),
    ...(values.sshPrivateKey.trim() ? { ssh_private_key: values.sshPrivateKey } : {}),
    ...(nodesChanged ? { nodes } : {}),
    ...(changed("backupStorage") ? { backup_storage: values.backupStorage.trim() } : {}),
  };
}

/**
 * What the API would silently read differently from what the form says: a chosen pin or CA left
 * blank would otherwise register a host verified some other way.
 */
export function formProblems(values: HostFormValues, host?: Host): ApiError | null {
  const problems: FieldError[] = [];
  if (values.tlsMode === "pin" && !values.tlsFingerprint.trim()) {
    problems.push({ field: "tls_fingerprint", message: "is required to pin the certificate" });
  }
  const caStored = host !== undefined && tlsModeOf(host) === "ca";
  if (values.tlsMode === "ca" && !values.tlsCaPem.trim() && !caStored) {
    problems.push({ field: "tls_ca_pem", message: "is required to trust a CA certificate" });
  }
  return problems.length > 0 ? new ApiError(400, "Some fields need your attention.", problems) : null;
}

/**
 * Other names the API may give a field: the gateway says `nodes.0.name`, the hosts service
 * `nodes[0].name`; credentials are checked as `credentials.api_secret`, SSH ones as `credentials`.
 */
const ALIASES: Record<string, readonly string[]> = {
  api_secret: ["credentials.api_secret"],
  ssh_password: ["credentials", "credentials.ssh_password"],
  ssh_private_key: ["credentials.ssh_private_key"],
  auth_mode: [],
};

/** The message the API gave for one of the form's fields, under any of its names. */
export function hostFieldError(error: ApiError | null, field: string): string | undefined {
  if (!error) return undefined;
  const bracketed = field.replace(/^nodes\.(\d+)\./, "nodes[$1].");
  for (const name of [field, bracketed, ...(ALIASES[field] ?? [])]) {
    const message = error.fieldMessage(name);
    if (message) return message;
  }
  return undefined;
}

const LABELS: Record<string, string> = {
  name: "Name",
  address: "Address",
  port: "Port",
  auth_mode: "Sign-in method",
  username: "API token ID or user",
  api_secret: "Secret",
  "credentials.api_secret": "Secret",
  tls_fingerprint: "Certificate fingerprint",
  tls_ca_pem: "CA certificate",
  insecure_http: "Plain HTTP",
  ssh_username: "SSH user",
  ssh_password: "SSH password",
  ssh_private_key: "SSH private key",
  credentials: "SSH password or private key",
  nodes: "Nodes",
  backup_storage: "Backup storage",
};

const NODE_LABELS: Record<string, string> = {
  name: "name",
  ssh_host: "SSH host",
  ssh_port: "SSH port",
  ssh_host_key_fingerprint: "SSH host key",
  trust_on_first_use: "trust on first use",
};

/** A field name of the API as the form labels it, e.g. `nodes.0.ssh_host` → "Node 1 SSH host". */
export function hostFieldLabel(field: string): string {
  const node = /^nodes(?:\.(\d+)|\[(\d+)\])\.(\w+)$/.exec(field);
  if (node) {
    const index = Number(node[1] ?? node[2]) + 1;
    const part = node[3] ?? "";
    return `Node ${index} ${NODE_LABELS[part] ?? part}`;
  }
  return LABELS[field] ?? field;
}
