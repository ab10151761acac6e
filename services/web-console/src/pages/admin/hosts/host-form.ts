import { isNodeName } from "@proximity/rules";
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

// The field rules of the hosts service (services/hosts/src/domain/host-fields.ts), checked here
// first so every mistake shows at its field at once, in words, before anything is sent.
const HOST_NAME = /^[a-z0-9][a-z0-9-_.]{0,62}$/;
const API_TOKEN_ID = /^[^\s@!]+@[^\s@!]+![A-Za-z][A-Za-z0-9._-]*$/;
const PROXMOX_USER = /^[^\s@!]+@[^\s@!]+$/;
const TLS_FINGERPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/i;
const SSH_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

function portProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined; // the default port
  const port = Number(trimmed);
  return Number.isInteger(port) && port >= 1 && port <= 65535
    ? undefined
    : "Enter a port number from 1 to 65535.";
}

function nodeProblems(node: NodeValues, index: number): FieldError[] {
  const at = (field: string, message: string) => ({ field: `nodes.${index}.${field}`, message });
  const problems: FieldError[] = [];
  const name = node.name.trim();
  if (!name) problems.push(at("name", "Enter the node's name as Proxmox shows it, e.g. pve1."));
  else if (!isNodeName(name))
    problems.push(at("name", "Use letters, digits and '-' only (at most 63), as Proxmox names nodes."));
  if (!node.sshHost.trim())
    problems.push(at("ssh_host", "Enter the host name or IP address to reach it over SSH."));
  const port = portProblem(node.sshPort);
  if (port) problems.push(at("ssh_port", port));
  const hostKey = node.hostKey.trim();
  if (hostKey && !SSH_FINGERPRINT.test(hostKey))
    problems.push(
      at(
        "ssh_host_key_fingerprint",
        "Enter it as SHA256: followed by 43 base64 characters, as ssh-keygen -lf prints it.",
      ),
    );
  else if (!hostKey && !node.trustOnFirstUse)
    problems.push(
      at(
        "ssh_host_key_fingerprint",
        "Enter the host key fingerprint, or tick the box to trust the key the node presents at the next check.",
      ),
    );
  return problems;
}

/**
 * Every field the API would refuse (or silently read differently from what the form says: a chosen
 * pin or CA left blank would register a host verified some other way), in one round. Editing, an
 * empty credential or setting keeps the stored one, so only what is given is checked.
 */
export function formProblems(values: HostFormValues, host?: Host): ApiError | null {
  const creating = host === undefined;
  const problems: FieldError[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const tokenMode = values.authMode === "api_token";

  if (creating) {
    const name = values.name.trim();
    if (!name) add("name", "Enter a name for the host.");
    else if (!HOST_NAME.test(name))
      add("name", "Use 1 to 63 characters: a–z, 0–9, '-', '_' or '.', starting with a letter or digit.");
  }
  if (creating && !values.address.trim())
    add("address", "Enter the host name or IP address of the Proxmox API.");
  const port = portProblem(values.port);
  if (port) add("port", port);

  const username = values.username.trim();
  if (creating && !username)
    add(
      "username",
      tokenMode
        ? "Enter the API token ID, e.g. root@pam!proximity."
        : "Enter the Proxmox user, e.g. root@pam.",
    );
  else if (username && tokenMode && !API_TOKEN_ID.test(username))
    add("username", "Write it as user@realm!tokenid, e.g. root@pam!proximity.");
  else if (username && !tokenMode && !PROXMOX_USER.test(username))
    add("username", "Write it as user@realm, e.g. root@pam.");
  if (creating && !values.apiSecret)
    add("api_secret", tokenMode ? "Enter the API token's secret." : "Enter the Proxmox user's password.");

  const fingerprint = values.tlsFingerprint.trim();
  if (values.tlsMode === "pin" && !fingerprint)
    add("tls_fingerprint", "Enter the certificate's fingerprint to pin it.");
  else if (values.tlsMode === "pin" && !TLS_FINGERPRINT.test(fingerprint))
    add(
      "tls_fingerprint",
      "Enter 32 pairs of hex digits separated by colons, AA:BB:…, as openssl prints it.",
    );
  const caStored = host !== undefined && tlsModeOf(host) === "ca";
  if (values.tlsMode === "ca" && !values.tlsCaPem.trim() && !caStored)
    add("tls_ca_pem", "Paste the CA certificate (PEM) to trust it.");

  if (creating && !values.sshPassword && !values.sshPrivateKey.trim())
    add("ssh_password", "Enter an SSH password or a private key (or both).");

  if (values.nodes.length === 0) add("nodes", "Add at least one node.");
  values.nodes.forEach((node, index) => {
    problems.push(...nodeProblems(node, index));
  });
  return problems.length > 0 ? new ApiError(400, problemsTitle(problems.length), problems) : null;
}

const problemsTitle = (count: number) =>
  count === 1 ? "One field needs your attention." : `${count} fields need your attention.`;

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
  tls_fingerprint: "Certificate SHA-256 fingerprint",
  tls_ca_pem: "CA certificate (PEM)",
  insecure_http: "TLS verification",
  ssh_username: "SSH user",
  ssh_password: "SSH password",
  ssh_private_key: "SSH private key",
  credentials: "SSH password or private key",
  "credentials.ssh_password": "SSH password",
  "credentials.ssh_private_key": "SSH private key",
  nodes: "Nodes",
  backup_storage: "Backup storage",
};

const NODE_LABELS: Record<string, string> = {
  name: "Node name",
  ssh_host: "SSH host",
  ssh_port: "SSH port",
  ssh_host_key_fingerprint: "SSH host key fingerprint",
  trust_on_first_use: "Trust on first use",
};

/**
 * A field name of the API as the form labels it (the label depends on the sign-in method), e.g.
 * `nodes.0.ssh_host` → "Node 1, SSH host", `api_secret` → "API token secret".
 */
export function hostFieldLabel(field: string, authMode: AuthMode = "api_token"): string {
  const node = /^nodes(?:\.(\d+)|\[(\d+)\])\.(\w+)$/.exec(field);
  if (node) {
    const index = Number(node[1] ?? node[2]) + 1;
    const part = node[3] ?? "";
    return `Node ${index}, ${NODE_LABELS[part] ?? part}`;
  }
  const tokenMode = authMode === "api_token";
  if (field === "username") return tokenMode ? "API token ID" : "Proxmox user";
  if (field === "api_secret" || field === "credentials.api_secret")
    return tokenMode ? "API token secret" : "Password";
  return LABELS[field] ?? field;
}
